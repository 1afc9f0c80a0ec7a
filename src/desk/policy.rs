//! `/desk/policy`: the organisation's follow-up policy in words (each rule: what starts it,
//! when it is due, which customers, repeats, level, source paragraph), and another policy —
//! a shipped profile, or a policy file the server checks — tried over the organisation's own
//! data here in the browser (`policy::diff` of the two agendas: what appears, vanishes or
//! moves, for whom) before a manager adopts it. Listing, checking and adopting are online
//! actions; the current rules and the trial work offline once a proposal is loaded.

use chrono::{NaiveDateTime, Utc};
use leptos::{prelude::*, task::spawn_local};
use revisit_domain::{
    policy::{
        Change, Condition, FollowUpRule, Horizon, ItemChange, Offset, OffsetUnit, OrgPolicy,
        RuleStart, WarrantyStatus, diff,
    },
    time::due_text,
    wire::{AdoptPolicy, PolicyBundle, PolicyCheck, PolicyFileProblem, PolicyProfiles},
};
use wasm_bindgen::JsCast;

use crate::{
    i18n::{Lang, Texts},
    pages::{Stored, show_stored, stored_data, stored_policy},
    state::{AppState, app_state},
    sync::{self, SyncError},
};

/// This page's strings (kept out of the shared tables, which the field app carries).
pub struct PolicyTexts {
    zh: bool,
    title: &'static str,
    current: &'static str,
    no_policy: &'static str,
    rule: &'static str,
    starts: &'static str,
    due: &'static str,
    customers: &'static str,
    repeats: &'static str,
    level: &'static str,
    source: &'static str,
    all_customers: &'static str,
    once: &'static str,
    after_event: fn(&str) -> String,
    after_rule: fn(&str) -> String,
    within: fn(&str) -> String,
    at_point: fn(&str, &str) -> String,
    opens_after: fn(&str) -> String,
    overdue_after: fn(&str) -> String,
    every: fn(&str) -> String,
    until: fn(&str) -> String,
    after_each_visit: &'static str,
    by_channel: fn(&str) -> String,
    tier: &'static str,
    category: &'static str,
    tag: &'static str,
    without_tag: &'static str,
    warranty_in: &'static str,
    warranty_out: &'static str,
    started_by_channel: &'static str,
    cancelled_by: fn(&str) -> String,
    shares_visit: &'static str,
    list_sep: &'static str,
    choose: &'static str,
    choose_profile: &'static str,
    try_it: &'static str,
    upload: &'static str,
    upload_hint: &'static str,
    choose_file: &'static str,
    check_and_try: &'static str,
    checking: &'static str,
    line: fn(u32, Option<u32>) -> String,
    in_rule: fn(&str) -> String,
    trial: fn(&str) -> String,
    appears: &'static str,
    vanishes: &'static str,
    moves: &'static str,
    unchanged: &'static str,
    customers_changed: &'static str,
    no_change: &'static str,
    customer: &'static str,
    change: &'static str,
    old_due: &'static str,
    new_due: &'static str,
    show_more: fn(usize) -> String,
    proposed_rules: &'static str,
    adopt: &'static str,
    adopting: &'static str,
    adopted: fn(&str) -> String,
    adopt_managers_only: &'static str,
    offline: &'static str,
    shipped_none: &'static str,
    now_following: fn(&str) -> String,
}

impl PolicyTexts {
    /// 简体中文.
    pub const ZH: PolicyTexts = PolicyTexts {
        zh: true,
        title: "回访策略",
        current: "当前策略：",
        no_policy: "本设备尚未收到机构的回访策略，请先同步。",
        rule: "规则",
        starts: "起算（触发）",
        due: "时限",
        customers: "适用客户",
        repeats: "重复",
        level: "级别",
        source: "依据",
        all_customers: "全部客户",
        once: "一次",
        after_event: |e| format!("{e}后"),
        after_rule: |r| format!("「{r}」回访完成后"),
        within: |d| format!("{d}内回访"),
        at_point: |d, w| format!("第{d}时回访（提前{w}可访）"),
        opens_after: |d| format!("，{d}后方可回访"),
        overdue_after: |d| format!("，最迟{d}"),
        every: |d| format!("每{d}一次"),
        until: |d| format!("，至{d}"),
        after_each_visit: "每次回访后重新起算",
        by_channel: |c| format!("（{c}）"),
        tier: "客户等级",
        category: "产品类别",
        tag: "标记",
        without_tag: "不含标记",
        warranty_in: "保修期内",
        warranty_out: "保修期外",
        started_by_channel: "触发回访的方式",
        cancelled_by: |e| format!("{e}时撤销"),
        shares_visit: "可与其他规则共用一次回访",
        list_sep: "、",
        choose: "试用其他策略",
        choose_profile: "选择内置策略",
        try_it: "试算",
        upload: "上传策略文件（TOML）",
        upload_hint: "粘贴策略文件内容，或选择文件；服务器检查后即可试算。",
        choose_file: "选择文件",
        check_and_try: "检查并试算",
        checking: "检查中…",
        line: |l, c| match c {
            Some(c) => format!("第 {l} 行第 {c} 列："),
            None => format!("第 {l} 行："),
        },
        in_rule: |r| format!("规则「{r}」："),
        trial: |n| format!("试算：{n}"),
        appears: "新增",
        vanishes: "消失",
        moves: "改期",
        unchanged: "不变",
        customers_changed: "涉及客户",
        no_change: "在本机构的数据上，两种策略的待回访事项相同。",
        customer: "客户",
        change: "变化",
        old_due: "原到期",
        new_due: "新到期",
        show_more: |n| format!("再显示 {n} 条"),
        proposed_rules: "该策略的规则",
        adopt: "采用此策略",
        adopting: "正在采用…",
        adopted: |n| format!("已采用「{n}」。各设备将在下次同步时收到新策略。"),
        adopt_managers_only: "只有经理、总监和管理员可以采用策略。",
        offline: "当前离线：列出内置策略、检查策略文件和采用策略都需要联网。已收到的策略仍可查看。",
        shipped_none: "上传的策略文件",
        now_following: |n| format!("本机构现行策略：{n}"),
    };

    /// English.
    pub const EN: PolicyTexts = PolicyTexts {
        zh: false,
        title: "Follow-up policy",
        current: "Current policy: ",
        no_policy: "This device has not received the organisation's policy yet: sync first.",
        rule: "Rule",
        starts: "Starts at",
        due: "Due",
        customers: "Customers",
        repeats: "Repeats",
        level: "Level",
        source: "Source",
        all_customers: "all customers",
        once: "once",
        after_event: |e| format!("after {e}"),
        after_rule: |r| format!("after the visit for \u{201c}{r}\u{201d}"),
        within: |d| format!("visit within {d}"),
        at_point: |d, w| format!("visit at {d} (from {w} before)"),
        opens_after: |d| format!(", not before {d}"),
        overdue_after: |d| format!(", at the latest {d}"),
        every: |d| format!("every {d}"),
        until: |d| format!(", up to {d}"),
        after_each_visit: "again after each visit",
        by_channel: |c| format!(" ({c})"),
        tier: "tier",
        category: "product",
        tag: "marked",
        without_tag: "not marked",
        warranty_in: "in warranty",
        warranty_out: "out of warranty",
        started_by_channel: "started by a visit by",
        cancelled_by: |e| format!("withdrawn on {e}"),
        shares_visit: "one visit may answer other rules too",
        list_sep: ", ",
        choose: "Try another policy",
        choose_profile: "Choose a shipped policy",
        try_it: "Try it",
        upload: "Upload a policy file (TOML)",
        upload_hint: "Paste a policy file or choose one; the server checks it, then you can try it.",
        choose_file: "Choose file",
        check_and_try: "Check and try",
        checking: "Checking…",
        line: |l, c| match c {
            Some(c) => format!("Line {l}, column {c}: "),
            None => format!("Line {l}: "),
        },
        in_rule: |r| format!("rule \u{201c}{r}\u{201d}: "),
        trial: |n| format!("Trial: {n}"),
        appears: "Appear",
        vanishes: "Vanish",
        moves: "Move",
        unchanged: "Unchanged",
        customers_changed: "Customers",
        no_change: "On this organisation's data both policies owe the same visits.",
        customer: "Customer",
        change: "Change",
        old_due: "Due now",
        new_due: "Would be due",
        show_more: |n| format!("Show {n} more"),
        proposed_rules: "This policy's rules",
        adopt: "Adopt this policy",
        adopting: "Adopting…",
        adopted: |n| format!("\u{201c}{n}\u{201d} adopted. Devices receive it at their next sync."),
        adopt_managers_only: "Only managers, directors and administrators adopt a policy.",
        offline: "Offline: listing the shipped policies, checking a file and adopting need the network. The policy received is still shown.",
        shipped_none: "uploaded policy file",
        now_following: |n| format!("The organisation follows: {n}"),
    };
}

/// This page's strings in `lang`.
pub fn texts(lang: Lang) -> &'static PolicyTexts {
    match lang {
        Lang::ZhCn => &PolicyTexts::ZH,
        Lang::En => &PolicyTexts::EN,
    }
}

/// A policy being tried: what it is called here, its bundle, and how to adopt it.
#[derive(Clone)]
struct Proposal {
    label: String,
    bundle: PolicyBundle,
    choice: AdoptPolicy,
}

/// Changes listed at first, and added by each press of "more".
const PAGE: usize = 100;

/// The policy page.
#[component]
pub fn PolicyPage() -> impl IntoView {
    let state = app_state();
    let lang = move || state.lang.get();
    let tx = move || texts(state.lang.get());
    let data = stored_data(state, false);
    let profiles = RwSignal::new(None::<Result<PolicyProfiles, SyncError>>);
    let chosen = RwSignal::new(String::new());
    let proposal = RwSignal::new(None::<Proposal>);
    let failure = RwSignal::new(None::<String>);
    let file_text = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<PolicyFileProblem>);
    let adopted = RwSignal::new(None::<String>);
    let shown = RwSignal::new(PAGE);
    let load_profiles = move || {
        let Some(session) = state.session.get_untracked() else {
            return;
        };
        spawn_local(async move {
            profiles.set(Some(sync::policy_profiles(&session).await));
        });
    };
    load_profiles();
    let error_text = move |e: &SyncError| match e {
        SyncError::Offline(_) => tx().offline.to_owned(),
        e => state.lang.get_untracked().t().sync_error(e),
    };
    let try_shipped = Action::new_local(move |key: &String| {
        let key = key.clone();
        let session = state.session.get_untracked();
        async move {
            let session = session?;
            match sync::policy_profile(&session, &key).await {
                Ok(bundle) => {
                    failure.set(None);
                    adopted.set(None);
                    shown.set(PAGE);
                    proposal.set(Some(Proposal {
                        label: bundle.profile.name.clone(),
                        bundle,
                        choice: AdoptPolicy::Shipped(key),
                    }));
                }
                Err(e) => failure.set(Some(error_text(&e))),
            }
            Some(())
        }
    });
    let check_file = Action::new_local(move |text: &String| {
        let text = text.clone();
        let session = state.session.get_untracked();
        async move {
            let session = session?;
            match sync::check_policy(&session, text.clone()).await {
                Ok(PolicyCheck::Valid(bundle)) => {
                    problem.set(None);
                    failure.set(None);
                    adopted.set(None);
                    shown.set(PAGE);
                    proposal.set(Some(Proposal {
                        label: bundle.profile.name.clone(),
                        bundle: *bundle,
                        choice: AdoptPolicy::File(text),
                    }));
                }
                Ok(PolicyCheck::Invalid(p)) => problem.set(Some(p)),
                Err(e) => failure.set(Some(error_text(&e))),
            }
            Some(())
        }
    });
    let adopt = Action::new_local(move |choice: &AdoptPolicy| {
        let choice = choice.clone();
        let session = state.session.get_untracked();
        async move {
            let session = session?;
            match sync::adopt_policy(&session, &choice).await {
                Ok(current) => {
                    adopted.set(Some((tx().adopted)(&current.name)));
                    failure.set(None);
                    proposal.set(None);
                    load_profiles();
                    // This desk follows the new policy too, from its own pull.
                    state.sync();
                }
                Err(e) => failure.set(Some(error_text(&e))),
            }
            Some(())
        }
    });
    let read_file = move |ev: leptos::ev::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        spawn_local(async move {
            if let Ok(text) = wasm_bindgen_futures::JsFuture::from(file.text()).await
                && let Some(text) = text.as_string()
            {
                file_text.set(text);
                problem.set(None);
            }
        });
    };
    let manages = move || state.session.get().is_some_and(|s| s.user.role.manages());

    view! {
        <section class="policy-page">
            <h1>{move || tx().title}</h1>
            {move || adopted.get().map(|m| view! { <p class="banner notice" id="policy-adopted" role="status">{m}</p> })}
            {move || failure.get().map(|m| view! { <p class="banner error" id="policy-failure" role="alert">{m}</p> })}
            {show_stored(state, data, move |stored| {
                let (t, tx) = (lang().t(), tx());
                match stored_policy(stored) {
                    Ok(Some(policy)) => view! {
                        <p class="policy-current" id="policy-current">
                            {tx.current}<strong>{policy.profile.name.clone()}</strong>
                            {format!(" · {} {}", policy.profile.rules.len(), tx.rule)}
                        </p>
                        {rules_table(t, tx, &policy, "current-rules")}
                    }
                    .into_any(),
                    Ok(None) => view! { <p class="banner notice" id="no-policy">{tx.no_policy}</p> }.into_any(),
                    Err(e) => view! { <p class="banner error">{format!("{}: {e}", t.policy_invalid)}</p> }.into_any(),
                }
            })}

            <h2>{move || tx().choose}</h2>
            <div class="policy-choose card">
                {move || match profiles.get() {
                    None => view! { <p class="empty">{lang().t().loading}</p> }.into_any(),
                    Some(Err(e)) => view! {
                        <p class="banner notice" id="policy-offline">{error_text(&e)}</p>
                        <button class="secondary" on:click=move |_| load_profiles()>{lang().t().retry}</button>
                    }
                    .into_any(),
                    Some(Ok(list)) => {
                        let current = list.current.clone();
                        let following = match &current.shipped {
                            Some(_) => current.name.clone(),
                            None => format!("{} ({})", current.name, tx().shipped_none),
                        };
                        view! {
                            <p class="hint" id="policy-following">{(tx().now_following)(&following)}</p>
                            <div class="row">
                                <label for="profile-choice">{tx().choose_profile}</label>
                                <select id="profile-choice" on:change=move |ev| chosen.set(event_target_value(&ev))>
                                    <option value="">"—"</option>
                                    {list.profiles.into_iter().map(|p| {
                                        let this = current.shipped.as_deref() == Some(p.key.as_str());
                                        view! {
                                            <option value=p.key.clone() disabled=this title=p.description.clone()>
                                                {format!("{} · {}", p.name, p.key)}
                                            </option>
                                        }
                                    }).collect_view()}
                                </select>
                                <button id="try-profile" class="primary"
                                    disabled=move || chosen.get().is_empty() || try_shipped.pending().get()
                                    on:click=move |_| { try_shipped.dispatch(chosen.get_untracked()); }>
                                    {move || tx().try_it}
                                </button>
                            </div>
                        }
                        .into_any()
                    }
                }}
            </div>

            <h2>{move || tx().upload}</h2>
            <div class="policy-upload card">
                <p class="hint">{move || tx().upload_hint}</p>
                <textarea id="policy-file" rows="12" spellcheck="false"
                    class:invalid=move || problem.with(Option::is_some)
                    aria-describedby="policy-file-problem"
                    prop:value=move || file_text.get()
                    on:input=move |ev| file_text.set(event_target_value(&ev))></textarea>
                {move || problem.get().map(|p| {
                    let tx = tx();
                    let at = p.line.map(|l| (tx.line)(l, p.column)).unwrap_or_default();
                    let rule = p.rule.as_deref().map(tx.in_rule).unwrap_or_default();
                    view! { <p class="field-error" id="policy-file-problem" role="alert" data-line=p.line.unwrap_or(0).to_string()>
                        {format!("{at}{rule}{}", p.message)}
                    </p> }
                })}
                <div class="row">
                    <label class="button secondary file-button">
                        {move || tx().choose_file}
                        <input id="policy-file-input" type="file" accept=".toml,text/plain" on:change=read_file/>
                    </label>
                    <button id="check-policy" class="primary"
                        disabled=move || file_text.with(|t| t.trim().is_empty()) || check_file.pending().get()
                        on:click=move |_| { check_file.dispatch(file_text.get_untracked()); }>
                        {move || if check_file.pending().get() { tx().checking } else { tx().check_and_try }}
                    </button>
                </div>
            </div>

            <super::calendar::CalendarSection/>

            {move || proposal.get().map(|p| {
                let heading = (tx().trial)(&p.label);
                view! {
                    <section class="policy-trial" id="policy-trial">
                        <h2>{heading}</h2>
                        {show_stored(state, data, move |stored| trial(state, stored, &p, shown, adopt, manages()))}
                    </section>
                }
            })}
        </section>
    }
}

/// The proposal run against the current policy over this device's data: counts, the changes
/// for whom, the proposal's rules, and the adopt button.
fn trial(
    state: AppState,
    stored: &Stored,
    p: &Proposal,
    shown: RwSignal<usize>,
    adopt: Action<AdoptPolicy, Option<()>>,
    manages: bool,
) -> AnyView {
    let lang = state.lang.get();
    let (t, tx) = (lang.t(), texts(lang));
    let proposed = match p.bundle.validate() {
        Ok(policy) => policy,
        Err(e) => {
            return view! { <p class="banner error">{format!("{}: {e}", t.policy_invalid)}</p> }
                .into_any();
        }
    };
    let current = match stored_policy(stored) {
        Ok(Some(policy)) => policy,
        _ => return view! { <p class="banner notice">{tx.no_policy}</p> }.into_any(),
    };
    let input = stored.engine_input();
    let now = Utc::now();
    let before = input.open_agenda(&current.profile, &current.calendar, now, Horizon::default());
    let after = input.open_agenda(
        &proposed.profile,
        &proposed.calendar,
        now,
        Horizon::default(),
    );
    let d = diff(&before, &after);
    let count = |class: &'static str, label: &'static str, n: usize| {
        view! { <span class=format!("badge diff {class}") data-testid=format!("diff-{class}") data-count=n.to_string()>{format!("{label} {n}")}</span> }
    };
    let limit = shown.get();
    let rows: Vec<AnyView> = d
        .changes
        .iter()
        .take(limit)
        .map(|c| change_row(t, tx, stored, c))
        .collect();
    let hidden = d.changes.len().saturating_sub(limit);
    let choice = p.choice.clone();
    view! {
        <p class="diff-counts" id="diff-counts">
            {count("appears", tx.appears, d.appears)}
            {count("vanishes", tx.vanishes, d.vanishes)}
            {count("moves", tx.moves, d.moves)}
            {count("unchanged", tx.unchanged, d.unchanged)}
            {count("customers", tx.customers_changed, d.customers)}
        </p>
        {if d.changes.is_empty() {
            view! { <p class="empty">{tx.no_change}</p> }.into_any()
        } else {
            view! {
                <table class="card diff" id="policy-diff">
                    <thead><tr><th>{tx.customer}</th><th>{tx.rule}</th><th>{tx.change}</th><th>{tx.old_due}</th><th>{tx.new_due}</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
                {(hidden > 0).then(|| view! {
                    <button class="secondary more" on:click=move |_| shown.update(|n| *n += PAGE)>
                        {(tx.show_more)(hidden.min(PAGE))}
                    </button>
                })}
            }
            .into_any()
        }}
        <details class="proposed-rules">
            <summary>{format!("{} ({})", tx.proposed_rules, proposed.profile.rules.len())}</summary>
            {rules_table(t, tx, &proposed, "proposed-rules")}
        </details>
        <div class="actions">
            {if manages {
                view! {
                    <button id="adopt-policy" class="primary"
                        disabled=move || adopt.pending().get()
                        on:click=move |_| { adopt.dispatch(choice.clone()); }>
                        {move || if adopt.pending().get() { tx.adopting } else { tx.adopt }}
                    </button>
                }
                .into_any()
            } else {
                view! { <p class="hint">{tx.adopt_managers_only}</p> }.into_any()
            }}
        </div>
    }
    .into_any()
}

fn change_row(t: &Texts, tx: &PolicyTexts, stored: &Stored, c: &ItemChange) -> AnyView {
    let name = stored
        .customers
        .get(c.customer_index as usize)
        .map_or_else(|| c.customer.0.to_string(), |c| c.name.clone());
    let (class, label) = match c.change {
        Change::Appears => ("appears", tx.appears),
        Change::Vanishes => ("vanishes", tx.vanishes),
        Change::Moves => ("moves", tx.moves),
    };
    let due = |d: Option<NaiveDateTime>| d.map_or_else(|| "—".to_owned(), due_text);
    view! {
        <tr data-testid="diff-row" data-change=class>
            <td>{name}</td>
            <td>{c.rule.clone()}</td>
            <td><span class=format!("badge diff {class}")>{label}</span>" "<small>{t.status(c.status)}</small></td>
            <td>{due(c.old_due)}</td>
            <td>{due(c.new_due)}</td>
        </tr>
    }
    .into_any()
}

/// Every rule of `policy` in words, one row each.
fn rules_table(
    t: &Texts,
    tx: &'static PolicyTexts,
    policy: &OrgPolicy,
    id: &'static str,
) -> AnyView {
    let zh = tx.zh;
    let rows = policy
        .profile
        .rules
        .iter()
        .map(|r| {
            let channel = r.channel.map(|c| (tx.by_channel)(t.channel(c))).unwrap_or_default();
            view! {
                <tr data-testid="policy-rule">
                    <td><strong>{r.id.clone()}</strong><br/><small>{t.visit_kind(&r.kind).to_owned()}{channel}</small></td>
                    <td>{starts(tx, zh, r)}</td>
                    <td>{due(tx, zh, r)}</td>
                    <td>{customers(t, tx, r)}</td>
                    <td>{repeats(tx, zh, r)}</td>
                    <td>{t.level(r.level)}</td>
                    <td><code>{r.source.clone()}</code></td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-scroll">
            <table class="card rules" id=id>
                <thead><tr>
                    <th>{tx.rule}</th><th>{tx.starts}</th><th>{tx.due}</th><th>{tx.customers}</th>
                    <th>{tx.repeats}</th><th>{tx.level}</th><th>{tx.source}</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}

/// An offset in the policies' words: `7天`, `3个工作日`, `次日` / `7 days`, `next day`.
fn offset(zh: bool, o: Offset) -> String {
    match (zh, o.amount, o.unit) {
        (true, 0, OffsetUnit::Days) => "当天".into(),
        (true, 1, OffsetUnit::Days) => "次日".into(),
        (false, 0, OffsetUnit::Days) => "the same day".into(),
        (false, 1, OffsetUnit::Days) => "the next day".into(),
        (true, ..) => o.zh(),
        (false, ..) => o.to_string(),
    }
}

fn starts(tx: &PolicyTexts, zh: bool, r: &FollowUpRule) -> String {
    let mut out = match &r.start {
        RuleStart::Event(trigger) => (tx.after_event)(if zh { trigger.zh() } else { trigger.en() }),
        RuleStart::After(rule) => (tx.after_rule)(rule),
    };
    if !r.cancelled_by.is_empty() {
        let names: Vec<&str> = r
            .cancelled_by
            .iter()
            .map(|c| if zh { c.zh() } else { c.en() })
            .collect();
        out.push_str(if zh { "；" } else { "; " });
        out.push_str(&(tx.cancelled_by)(&names.join(tx.list_sep)));
    }
    out
}

fn due(tx: &PolicyTexts, zh: bool, r: &FollowUpRule) -> String {
    let o = |x| offset(zh, x);
    let mut out = match r.window {
        Some(w) => (tx.at_point)(&o(r.due), &o(w)),
        None => (tx.within)(&o(r.due)),
    };
    if r.window.is_none() && r.earliest.amount > 0 {
        out.push_str(&(tx.opens_after)(&o(r.earliest)));
    }
    if r.deadline != r.due {
        out.push_str(&(tx.overdue_after)(&o(r.deadline)));
    }
    if r.shares_visit {
        out.push_str(if zh { "；" } else { "; " });
        out.push_str(tx.shares_visit);
    }
    out
}

fn customers(t: &Texts, tx: &PolicyTexts, r: &FollowUpRule) -> String {
    let Condition {
        tier,
        category,
        warranty,
        channel,
        tag,
        without_tag,
    } = &r.when;
    let sep = tx.list_sep;
    let colon = if tx.zh { "：" } else { ": " };
    let mut parts = Vec::new();
    let tiers: Vec<&str> = tier
        .iter()
        .map(|x| match x.as_str() {
            "vip" => t.vip,
            "normal" => t.normal_tier,
            other => other,
        })
        .collect();
    for (label, list) in [
        (tx.tier, tiers.join(sep)),
        (tx.category, category.join(sep)),
        (tx.tag, tag.join(sep)),
        (tx.without_tag, without_tag.join(sep)),
    ] {
        if !list.is_empty() {
            parts.push(format!("{label}{colon}{list}"));
        }
    }
    if !channel.is_empty() {
        let names: Vec<&str> = channel.iter().map(|c| t.channel(*c)).collect();
        parts.push(format!(
            "{}{colon}{}",
            tx.started_by_channel,
            names.join(sep)
        ));
    }
    match warranty {
        Some(WarrantyStatus::In) => parts.push(tx.warranty_in.to_owned()),
        Some(WarrantyStatus::Out) => parts.push(tx.warranty_out.to_owned()),
        None => {}
    }
    if parts.is_empty() {
        tx.all_customers.to_owned()
    } else {
        parts.join(if tx.zh { "；" } else { "; " })
    }
}

fn repeats(tx: &PolicyTexts, zh: bool, r: &FollowUpRule) -> String {
    match (r.every, r.repeat_after_done) {
        (Some(every), _) => {
            let mut out = (tx.every)(&offset(zh, every));
            if let Some(until) = r.until {
                out.push_str(&(tx.until)(&offset(zh, until)));
            }
            out
        }
        (None, true) => tx.after_each_visit.to_owned(),
        (None, false) => tx.once.to_owned(),
    }
}
