//! Stable sorts for the browser bundle. 排序
//!
//! Every use of the standard library's sorts on another element type or key compiles a copy of
//! its sort (driftsort with its quicksort and small-sort networks): about 3 KB of wasm each,
//! four of them in the client once. These two are a few hundred bytes each, stable like
//! `sort_by_key`, and what the engine and the client pages use.

/// Sorts `records` stably by `key`: an insertion sort, linear for records that arrive nearly
/// in order (one customer's events, stored by time-ordered id) and quadratic at worst, so for
/// short lists only.
pub fn sort_few<T: Copy, K: Ord>(records: &mut [T], key: impl Fn(&T) -> K) {
    for i in 1..records.len() {
        let record = records[i];
        let k = key(&record);
        let mut j = i;
        while j > 0 && key(&records[j - 1]) > k {
            records[j] = records[j - 1];
            j -= 1;
        }
        records[j] = record;
    }
}

/// Runs of this length are insertion-sorted before merging.
const RUN: usize = 16;

/// Sorts `records` stably by `key` in O(n log n): runs of 16 records insertion-sorted, then
/// merged pairwise through one buffer of the same length (none for a short list). Records
/// already in order (the usual case for the agenda's buckets) are only compared, not moved.
pub fn sort_stably<T: Copy, K: Ord>(records: &mut [T], key: impl Fn(&T) -> K) {
    if records.is_sorted_by_key(&key) {
        return;
    }
    for run in records.chunks_mut(RUN) {
        sort_few(run, &key);
    }
    if records.len() <= RUN {
        return;
    }
    let mut buffer = records.to_vec();
    let mut width = RUN;
    let mut in_buffer = false;
    while width < records.len() {
        match in_buffer {
            false => merge_runs(records, &mut buffer, width, &key),
            true => merge_runs(&buffer, records, width, &key),
        }
        in_buffer = !in_buffer;
        width *= 2;
    }
    if in_buffer {
        records.copy_from_slice(&buffer);
    }
}

/// Merges each pair of adjacent sorted runs of `width` in `from` into `to`; on equal keys the
/// left run's record comes first, which keeps the sort stable.
fn merge_runs<T: Copy, K: Ord>(from: &[T], to: &mut [T], width: usize, key: &impl Fn(&T) -> K) {
    let len = from.len();
    let mut start = 0;
    while start < len {
        let middle = (start + width).min(len);
        let end = (start + 2 * width).min(len);
        let (mut left, mut right) = (start, middle);
        for slot in &mut to[start..end] {
            let take_right =
                right < end && (left == middle || key(&from[right]) < key(&from[left]));
            *slot = match take_right {
                true => {
                    right += 1;
                    from[right - 1]
                }
                false => {
                    left += 1;
                    from[left - 1]
                }
            };
        }
        start = end;
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        /// Records come out as the standard stable sort puts them, equal keys in input order.
        #[test]
        fn sort_few_is_a_stable_sort(keys in proptest::collection::vec(0u8..6, 0..60)) {
            let mut records: Vec<(u8, usize)> = keys.into_iter().zip(0..).collect();
            let mut expected = records.clone();
            expected.sort_by_key(|r| r.0);
            sort_few(&mut records, |r| r.0);
            prop_assert_eq!(records, expected);
        }

        /// The same for the merge sort, at every length around the run and merge boundaries
        /// and with few distinct keys (long stretches of equal ones) or many.
        #[test]
        fn sort_stably_is_a_stable_sort(
            keys in proptest::collection::vec(any::<u16>(), 0..700),
            distinct in prop_oneof![Just(3u16), Just(u16::MAX)],
        ) {
            let mut records: Vec<(u16, usize)> =
                keys.into_iter().map(|k| k % distinct).zip(0..).collect();
            let mut expected = records.clone();
            expected.sort_by_key(|r| r.0);
            sort_stably(&mut records, |r| r.0);
            prop_assert_eq!(records, expected);
        }
    }

    #[test]
    fn sort_stably_handles_reversed_and_sorted_input() {
        let mut reversed: Vec<u32> = (0..1_000).rev().collect();
        sort_stably(&mut reversed, |&k| k);
        assert_eq!(reversed, (0..1_000).collect::<Vec<_>>());
        let mut sorted: Vec<u32> = (0..17).collect();
        sort_stably(&mut sorted, |&k| k);
        assert_eq!(sorted, (0..17).collect::<Vec<_>>());
    }
}
