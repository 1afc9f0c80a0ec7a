//! A manager imports customers on the desk from CSV files: one with two bad rows imports
//! nothing and names both; one in GBK (as Excel writes it in China) adds customers and changes
//! one, and the technician's tablet receives them; then the manager reassigns an imported
//! customer from the list and it moves from one tablet to the other.

use std::path::Path;

use fantoccini::{Client, Locator};
use serde_json::{Value, json};

use crate::support::{
    Result, TIMEOUT, World, app_ready, choose, fill, login, screenshot, wait_until,
};

/// Chooses the file at `path` in the import page's file input, as a person picking it would.
async fn upload(c: &Client, path: &Path) -> Result<()> {
    c.wait()
        .at_most(TIMEOUT)
        .for_element(Locator::Css("#import-file"))
        .await?
        .send_keys(&path.display().to_string())
        .await?;
    Ok(())
}

/// The text of every element matching `css`.
async fn texts(c: &Client, css: &str) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for e in c.find_all(Locator::Css(css)).await? {
        out.push(e.text().await?.trim().to_string());
    }
    Ok(out)
}

async fn synced(c: &Client, what: &str) -> Result<()> {
    wait_until(
        c,
        what,
        "return document.querySelector('#pending-count')?.textContent.trim() === '0'",
    )
    .await
}

/// Waits until the field app's page of customer `id` shows `name` (the tablet holds them).
async fn tablet_shows(c: &Client, base: &str, id: &str, name: &str) -> Result<()> {
    c.goto(&format!("{base}/customers/{id}")).await?;
    app_ready(c).await?;
    wait_until(
        c,
        &format!("the tablet shows {name}"),
        &format!(
            "return document.querySelector('section h1')?.textContent.includes('{name}') === true"
        ),
    )
    .await
}

/// Whether the field app's page of customer `id` says there is no such customer.
async fn tablet_lacks(c: &Client, base: &str, id: &str) -> Result<bool> {
    c.goto(&format!("{base}/customers/{id}")).await?;
    app_ready(c).await?;
    wait_until(
        c,
        "the customer page is shown",
        "return !!document.querySelector('section h1') || \
         [...document.querySelectorAll('section p.empty')].some(p => p.textContent.includes('页面不存在'))",
    )
    .await?;
    Ok(c.find_all(Locator::Css("section h1")).await?.is_empty())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_manager_imports_customers_from_csv_and_reassigns_one_between_tablets() -> Result<()> {
    let world = World::start("import").await?;
    let base = world.base.clone();
    let work = world.work.clone();

    let outcome = async {
        let manager = world.browser("manager", (1366, 768)).await?;
        manager.goto(&format!("{base}/desk/")).await?;
        app_ready(&manager).await?;
        login(&manager, "manager").await?;
        manager.wait().at_most(TIMEOUT).for_element(Locator::Css("[data-testid=tech-row]")).await?;
        let today = manager
            .execute("const d = new Date(Date.now() + 8 * 3600e3); return d.toISOString().slice(0, 10);", vec![])
            .await?;
        let today = today.as_str().ok_or("no date")?.to_string();

        // 1. A customer of 张伟 (tech1) as stored, read from the desk's form: the GBK file will
        //    give them a new phone number (found by name and address).
        manager.goto(&format!("{base}/desk/customers")).await?;
        app_ready(&manager).await?;
        manager.wait().at_most(TIMEOUT).for_element(Locator::Css("[data-testid=customer-row]")).await?;
        choose(&manager, "#technician-filter", "张伟").await?;
        wait_until(
            &manager,
            "only 张伟's customers are listed",
            "const t = [...document.querySelectorAll('[data-testid=customer-technician]')].map(e => e.textContent.trim()); \
             return t.length > 0 && t.every(n => n === '张伟');",
        )
        .await?;
        let candidates = manager
            .execute(
                "return [...document.querySelectorAll('[data-testid=customer-row]')].slice(0, 12).map(r => r.dataset.customerId);",
                vec![],
            )
            .await?;
        screenshot(&manager, &work, "1-desk-customers").await?;
        manager.find(Locator::Css("#import-customers")).await?.click().await?;
        wait_until(&manager, "the import page opens", "return location.pathname === '/desk/import'").await?;
        // One whose dates are all past (a demo customer bought today is installed tomorrow,
        // which an import refuses as a date in the future).
        let mut chosen = None;
        for id in candidates.as_array().ok_or("no rows")?.iter().filter_map(Value::as_str) {
            manager.goto(&format!("{base}/desk/customers/{id}")).await?;
            app_ready(&manager).await?;
            manager.wait().at_most(TIMEOUT).for_element(Locator::Css("#customer-name")).await?;
            wait_until(&manager, "the form holds the customer", "return document.querySelector('#customer-name').value !== ''").await?;
            let known = manager
                .execute(
                    "const v = id => document.querySelector(id).value; \
                     return { name: v('#customer-name'), phone: v('#customer-phone'), address: v('#customer-address'), \
                       product: v('#customer-product'), purchased: v('#customer-purchased_on'), \
                       installed: v('#customer-installed_on'), repaired: v('#customer-repaired_on'), \
                       vip: document.querySelector('#customer-vip').checked };",
                    vec![],
                )
                .await?;
            let past = |k: &str| known[k].as_str().is_none_or(|d| d.is_empty() || d <= today.as_str());
            if past("installed") && past("repaired") {
                chosen = Some((id.to_string(), known));
                break;
            }
        }
        let (known_id, known) = chosen.ok_or("no customer of 张伟 with past dates")?;
        let field = |k: &str| known[k].as_str().unwrap_or_default().to_string();
        let tier = if known["vip"] == Value::Bool(true) { "VIP" } else { "普通" };

        // 2. A UTF-8 file with two bad rows: nothing can be imported, and both rows are named
        //    with their columns.
        manager.goto(&format!("{base}/desk/import")).await?;
        app_ready(&manager).await?;
        let bad = work.join("bad.csv");
        std::fs::write(
            &bad,
            format!(
                "姓名,电话,地址,等级,产品,购买日期,安装日期,技术员\r\n\
                 孙立新,13911112222,上海市长宁区愚园路 1 号,普通,净水器 RO-400G,{today},,张伟\r\n\
                 钱多多,1391111x,上海市长宁区愚园路 2 号,普通,净水器 RO-400G,{today},,张伟\r\n\
                 赵明亮,13911113333,上海市长宁区愚园路 3 号,金牌,净水器 RO-400G,2026-02-30,,王五\r\n"
            ),
        )?;
        upload(&manager, &bad).await?;
        manager.wait().at_most(TIMEOUT).for_element(Locator::Css("[data-testid=import-problem]")).await?;
        let problems = manager
            .execute(
                "return [...document.querySelectorAll('[data-testid=import-problem]')].map(r => r.dataset.row + ':' + r.dataset.column);",
                vec![],
            )
            .await?;
        assert_eq!(
            problems,
            json!(["3:phone", "4:tier", "4:purchased_on", "4:technician"]),
            "every problem by row and column"
        );
        let words = texts(&manager, "[data-testid=import-problem]").await?;
        assert!(words[0].contains("电话") && words[0].contains("1391111x"), "{words:?}");
        let disabled = manager.find(Locator::Css("#import-apply")).await?.attr("disabled").await?;
        assert!(disabled.is_some(), "a file with problems cannot be imported");
        screenshot(&manager, &work, "2-import-problems").await?;
        let pending = manager.find(Locator::Css("#pending-count")).await?.text().await?;
        assert_eq!(pending.trim(), "0", "nothing was written");

        // 3. The same kind of file in GBK, as Excel saves it in China: two new customers and
        //    one with a new phone number.
        let new_phone = "13600001234";
        let gbk_text = format!(
            "姓名,电话,地址,等级,产品,购买日期,安装日期,维修日期,技术员\r\n\
             欧阳明月,13711112222,\"上海市静安区南京西路 1266 号, 12楼\",VIP,净水器 RO-600G,{today},{today},,张伟\r\n\
             司马青云,13711113333,上海市黄浦区中山东一路 18 号,普通,管线机 GX-3,{today},,,张伟\r\n\
             {},{new_phone},{},{tier},{},{},{},{},张伟\r\n",
            field("name"),
            field("address"),
            field("product"),
            field("purchased"),
            field("installed"),
            field("repaired"),
        );
        let (bytes, _, unmappable) = encoding_rs::GBK.encode(&gbk_text);
        assert!(!unmappable, "the test's text is all in GBK");
        assert!(std::str::from_utf8(&bytes).is_err(), "the file is really not UTF-8");
        let gbk = work.join("customers-gbk.csv");
        std::fs::write(&gbk, &bytes)?;
        upload(&manager, &gbk).await?;
        manager.wait().at_most(TIMEOUT).for_element(Locator::Css("[data-testid=import-add]")).await?;
        let file = manager.find(Locator::Css("#import-file-name")).await?.text().await?;
        assert!(file.contains("GBK"), "{file:?}");
        let added = texts(&manager, "[data-testid=import-add]").await?;
        assert_eq!(added.len(), 2, "{added:?}");
        assert!(added[0].contains("欧阳明月") && added[0].contains("南京西路 1266 号, 12楼"), "{added:?}");
        assert!(added[1].contains("司马青云"), "{added:?}");
        let changes = texts(&manager, "[data-testid=import-change-field]").await?;
        assert_eq!(changes.len(), 1, "one field changes: {changes:?}");
        assert!(
            changes[0].contains(&field("phone")) && changes[0].contains(new_phone) && changes[0].contains('→'),
            "old → new: {changes:?}"
        );
        assert!(manager.find_all(Locator::Css("[data-testid=import-problem]")).await?.is_empty());
        screenshot(&manager, &work, "3-import-preview-gbk").await?;
        manager.find(Locator::Css("#import-apply")).await?.click().await?;
        manager.wait().at_most(TIMEOUT).for_element(Locator::Css("#import-applied")).await?;
        synced(&manager, "the import syncs").await?;
        screenshot(&manager, &work, "4-import-applied").await?;

        // The new customer's id, from the list; the changed customer has the new number.
        manager.goto(&format!("{base}/desk/customers")).await?;
        app_ready(&manager).await?;
        fill(&manager, "#customer-search", "欧阳明月").await?;
        wait_until(&manager, "the search finds one customer", "return document.querySelectorAll('[data-testid=customer-row]').length === 1").await?;
        let imported_id = manager
            .find(Locator::Css("[data-testid=customer-row]"))
            .await?
            .attr("data-customer-id")
            .await?
            .ok_or("row without data-customer-id")?;
        fill(&manager, "#customer-search", new_phone).await?;
        wait_until(
            &manager,
            "the changed customer is found by the new number",
            &format!("return [...document.querySelectorAll('[data-testid=customer-row]')].some(r => r.dataset.customerId === '{known_id}')"),
        )
        .await?;

        // 4. 张伟's tablet receives the imported customer.
        let tech1 = world.browser("tech1", (1024, 768)).await?;
        tech1.goto(&base).await?;
        app_ready(&tech1).await?;
        login(&tech1, "tech1").await?;
        tech1.wait().at_most(TIMEOUT).for_element(Locator::Css("[data-testid=agenda-item]")).await?;
        tablet_shows(&tech1, &base, &imported_id, "欧阳明月").await?;
        screenshot(&tech1, &work, "5-tech1-imported-customer").await?;

        // 5. The manager reassigns the customer to 李娜 (tech2) from the list.
        fill(&manager, "#customer-search", "欧阳明月").await?;
        wait_until(&manager, "one row again", "return document.querySelectorAll('[data-testid=customer-row]').length === 1").await?;
        manager.find(Locator::Css(&format!("input.pick[data-customer-id='{imported_id}']"))).await?.click().await?;
        choose(&manager, "#reassign-to", "李娜").await?;
        let selected = manager.find(Locator::Css("#selected-count")).await?.text().await?;
        assert!(selected.contains('1'), "{selected:?}");
        screenshot(&manager, &work, "6-reassign").await?;
        manager.find(Locator::Css("#reassign")).await?.click().await?;
        manager.wait().at_most(TIMEOUT).for_element(Locator::Css("#reassigned")).await?;
        wait_until(
            &manager,
            "the list shows the new technician",
            "return document.querySelector('[data-testid=customer-technician]')?.textContent.trim() === '李娜'",
        )
        .await?;
        synced(&manager, "the reassignment syncs").await?;
        manager.close().await?;

        // 6. At its next sync the customer leaves 张伟's tablet and appears on 李娜's.
        tech1.find(Locator::Css("#sync-now")).await?.click().await?;
        synced(&tech1, "tech1's tablet syncs").await?;
        let mut gone = false;
        for _ in 0..20 {
            tech1.find(Locator::Css("#sync-now")).await?.click().await?;
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
            if tablet_lacks(&tech1, &base, &imported_id).await? {
                gone = true;
                break;
            }
        }
        assert!(gone, "the reassigned customer left tech1's tablet");
        screenshot(&tech1, &work, "7-tech1-after-reassign").await?;
        tech1.close().await?;
        let tech2 = world.browser("tech2", (1024, 768)).await?;
        tech2.goto(&base).await?;
        app_ready(&tech2).await?;
        login(&tech2, "tech2").await?;
        tech2.wait().at_most(TIMEOUT).for_element(Locator::Css("[data-testid=agenda-item]")).await?;
        tablet_shows(&tech2, &base, &imported_id, "欧阳明月").await?;
        screenshot(&tech2, &work, "8-tech2-has-the-customer").await?;
        tech2.close().await?;
        Ok::<_, Box<dyn std::error::Error + Send + Sync>>(())
    }
    .await;

    world.finish(outcome)
}
