//! The manager's report on the desk: every KPI with its target status, another period and
//! back, the records behind a KPI, the CSV export as Excel in China needs it, and the print
//! view as a PDF; screenshots in both languages at 1366×768 and 1024×768.

use fantoccini::{
    Client, Locator,
    wd::{PrintConfiguration, WebDriverCompatibleCommand},
};
use serde_json::{Value, json};

use crate::support::{Result, TIMEOUT, World, app_ready, login, screenshot, wait_until};

#[tokio::test(flavor = "multi_thread")]
async fn the_manager_reads_exports_and_prints_the_kpi_report() -> Result<()> {
    let world = World::start("reports").await?;
    let base = world.base.clone();
    let work = world.work.clone();

    let outcome = async {
        let desk = world.browser("manager", (1366, 768)).await?;
        desk.goto(&format!("{base}/desk/")).await?;
        app_ready(&desk).await?;
        login(&desk, "manager").await?;
        // Once the pull has brought the organisation's data, the KPIs the demo's customers and
        // visits feed have a status against their targets.
        wait_until(
            &desk,
            "the report shows its eight KPI cards, those with data judged",
            "const cards = [...document.querySelectorAll('[data-testid=kpi-card]')]; \
             const judged = k => cards.some(c => c.dataset.kpi === k && c.dataset.status !== 'none'); \
             return cards.length === 8 && ['visit_completion', 'satisfaction', 'contact_success'].every(judged)",
        )
        .await?;
        // Every card: a value, numerator / denominator, a definition, a status in words and
        // as a class the colour follows.
        let cards = desk.execute(
            "return [...document.querySelectorAll('[data-testid=kpi-card]')].map(c => ({ \
                kpi: c.dataset.kpi, status: c.dataset.status, \
                value: c.querySelector('[data-testid=kpi-value]').textContent, \
                counts: c.querySelector('[data-testid=kpi-counts]').textContent, \
                word: c.querySelector('[data-testid=kpi-status]').textContent, \
                definition: c.querySelector('.definition').textContent, \
                colour: getComputedStyle(c).borderLeftColor }))",
            vec![],
        )
        .await?;
        let cards = cards.as_array().ok_or("no cards")?;
        let mut judged = 0;
        for c in cards {
            let (status, word) = (c["status"].as_str().unwrap_or(""), c["word"].as_str().unwrap_or(""));
            assert!(["below", "close", "met", "none"].contains(&status), "{c}");
            assert!(!word.trim().is_empty() && !c["definition"].as_str().unwrap_or("").is_empty(), "{c}");
            let counts = c["counts"].as_str().unwrap_or("");
            assert!(counts.contains(" / "), "{c}");
            if status != "none" {
                judged += 1;
                let expected = match status {
                    "below" => "rgb(192, 57, 43)",
                    "close" => "rgb(178, 106, 0)",
                    _ => "rgb(30, 127, 79)",
                };
                assert_eq!(c["colour"], json!(expected), "{c}");
            }
        }
        assert!(judged >= 3, "the demo's items and visits give their KPIs a status: {cards:?}");
        screenshot(&desk, &work, "1-report-zh-1366").await?;

        // The records behind a KPI: as many rows as its denominator.
        desk.find(Locator::Css("[data-testid=kpi-card][data-kpi=on_time]")).await?.click().await?;
        let behind = desk.wait().at_most(TIMEOUT).for_element(Locator::Css("[data-testid=behind][data-kpi=on_time]")).await?;
        let rows = behind.find_all(Locator::Css("[data-testid=behind-row]")).await?.len();
        let counts = desk
            .find(Locator::Css("[data-testid=kpi-card][data-kpi=on_time] [data-testid=kpi-counts]"))
            .await?
            .text()
            .await?;
        let denominator: usize = counts.split(" / ").nth(1).and_then(|d| d.split(' ').next()).and_then(|d| d.parse().ok()).ok_or("bad counts")?;
        assert_eq!(rows, denominator.min(200), "{counts}");
        screenshot(&desk, &work, "2-behind-on-time").await?;
        let techs = desk.find_all(Locator::Css("[data-testid=tech-row]")).await?;
        assert!(techs.len() >= 2, "a row per demo technician");
        desk.execute("document.querySelector('[data-testid=tech-row]').scrollIntoView({ block: 'center' })", vec![]).await?;
        screenshot(&desk, &work, "2b-technicians").await?;
        desk.execute("window.scrollTo(0, 0)", vec![]).await?;

        // Another period and back.
        let label = |c: Client| async move {
            Ok::<String, Box<dyn std::error::Error + Send + Sync>>(
                c.find(Locator::Css("[data-testid=period-label]")).await?.text().await?,
            )
        };
        let this_month = label(desk.clone()).await?;
        desk.find(Locator::Css("[data-testid=period-prev]")).await?.click().await?;
        wait_until(&desk, "the previous month shows", &format!(
            "return document.querySelector('[data-testid=period-label]')?.textContent !== {}", json!(this_month))).await?;
        desk.find(Locator::Css("[data-testid=period-next]")).await?.click().await?;
        wait_until(&desk, "this month again", &format!(
            "return document.querySelector('[data-testid=period-label]')?.textContent === {}", json!(this_month))).await?;
        desk.find(Locator::Css("[data-testid=period-week]")).await?.click().await?;
        wait_until(&desk, "a week shows", "return document.querySelector('[data-testid=period-label]')?.textContent?.includes('周')").await?;
        screenshot(&desk, &work, "3-week").await?;
        desk.find(Locator::Css("[data-testid=period-month]")).await?.click().await?;
        wait_until(&desk, "a month shows", "return !document.querySelector('[data-testid=period-label]')?.textContent?.includes('周')").await?;
        desk.find(Locator::Css("[data-testid=period-today]")).await?.click().await?;
        wait_until(&desk, "the current month again", &format!(
            "return document.querySelector('[data-testid=period-label]')?.textContent === {}", json!(this_month))).await?;
        assert_eq!(desk.find_all(Locator::Css("[data-testid=kpi-card]")).await?.len(), 8);

        // The CSV: the Blob the page hands to the download, read back in the page.
        desk.execute(
            "window.__exported = null; const make = URL.createObjectURL; \
             URL.createObjectURL = b => { window.__exported = b; return make.call(URL, b); };",
            vec![],
        )
        .await?;
        desk.find(Locator::Css("[data-testid=export-csv]")).await?.click().await?;
        let bytes = desk
            .execute_async(
                "const done = arguments[0]; const wait = () => window.__exported \
                 ? window.__exported.arrayBuffer().then(b => done([window.__exported.type, [...new Uint8Array(b)]])) \
                 : setTimeout(wait, 100); wait();",
                vec![],
            )
            .await?;
        assert_eq!(bytes[0], json!("text/csv;charset=utf-8"));
        let bytes: Vec<u8> = bytes[1].as_array().ok_or("no bytes")?.iter().map(|b| b.as_u64().unwrap_or(0) as u8).collect();
        assert_eq!(bytes[..3], [0xEF, 0xBB, 0xBF], "UTF-8 byte-order mark");
        let text = String::from_utf8(bytes[3..].to_vec())?;
        std::fs::write(work.join("report.csv"), &bytes)?;
        let rows = parse_csv(&text);
        assert_eq!(
            rows[0],
            ["机构", "统计周期", "统计范围", "名称", "指标", "统计单位", "分子", "分母", "数值", "目标", "状态", "依据", "生成时间"]
        );
        assert!(text.contains("\r\n") && text.ends_with("\r\n"));
        // The organisation's eight KPIs, then each technician's.
        assert!(rows.len() > 1 + 8, "{} rows", rows.len());
        assert!(rows[1..].iter().all(|r| r.len() == 13), "every row has 13 fields");
        assert_eq!(rows[1][2], "全机构");
        assert_eq!(rows[1][4], "回访完成率");
        assert!(rows.iter().any(|r| r[2] == "技术员"), "a row per technician");

        // The print view: Chromium's print-to-PDF, A4.
        let pdf = desk.print(PrintConfiguration::default()).await?;
        assert!(pdf.starts_with(b"%PDF"), "a PDF");
        let raw = String::from_utf8_lossy(&pdf);
        let pages = raw.matches("/Type /Page").count() - raw.matches("/Type /Pages").count();
        std::fs::write(work.join("report.pdf"), &pdf)?;
        // Each section starts a page: the cards, the technicians, the trends, the visits.
        assert!(pages >= 3, "{pages} pages");
        // And the same print stylesheet on screen, to look at.
        desk.issue_cmd(Cdp { cmd: "Emulation.setEmulatedMedia", params: json!({ "media": "print" }) }).await?;
        let hidden = desk
            .execute("return ['header.top', '.status', '.period-picker', '.report-actions'].every(s => { const e = document.querySelector(s); return !e || getComputedStyle(e).display === 'none'; })", vec![])
            .await?;
        assert_eq!(hidden, json!(true), "the app's bars and controls are hidden in print");
        let meta = desk.find(Locator::Css("[data-testid=report-meta]")).await?.text().await?;
        assert!(meta.contains("生成时间") && meta.contains("统计周期"), "{meta}");
        screenshot(&desk, &work, "4-print-media").await?;
        desk.issue_cmd(Cdp { cmd: "Emulation.setEmulatedMedia", params: json!({ "media": "" }) }).await?;

        // English, and a smaller laptop.
        desk.find(Locator::Css("#lang-switch")).await?.click().await?;
        wait_until(&desk, "the report in English", "return document.querySelector('[data-testid=kpi-card] .label')?.textContent === 'Visit completion'").await?;
        screenshot(&desk, &work, "5-report-en-1366").await?;
        desk.set_window_size(1024, 768).await?;
        screenshot(&desk, &work, "6-report-en-1024").await?;
        desk.find(Locator::Css("#lang-switch")).await?.click().await?;
        wait_until(&desk, "the report in Chinese", "return document.querySelector('[data-testid=kpi-card] .label')?.textContent === '回访完成率'").await?;
        screenshot(&desk, &work, "7-report-zh-1024").await?;
        desk.execute("window.scrollTo(0, document.body.scrollHeight / 2)", vec![]).await?;
        screenshot(&desk, &work, "8-report-zh-1024-tables").await?;
        desk.close().await?;
        Ok(())
    }
    .await;

    world.finish(outcome)
}

/// RFC 4180 as the export writes it: quoted fields, `""` for a quote, CRLF between rows.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let (mut rows, mut row, mut field) = (Vec::new(), Vec::new(), String::new());
    let (mut quoted, mut chars) = (false, text.chars().peekable());
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    rows
}

/// A Chrome DevTools Protocol command sent through chromedriver's `goog/cdp/execute`.
#[derive(Debug)]
struct Cdp {
    cmd: &'static str,
    params: Value,
}

impl WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/goog/cdp/execute",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (
            http::Method::POST,
            Some(json!({ "cmd": self.cmd, "params": self.params }).to_string()),
        )
    }
}
