//! `/desk/import`: customers from a spreadsheet's CSV file (客户导入). The file is read and
//! decoded in the browser (UTF-8, with or without a byte-order mark, or the GBK that Excel
//! writes in China: the browser's own `TextDecoder`, so no GBK tables weigh on the bundle),
//! planned by the domain's import planner against the stored customers, and shown: what will
//! be added, what will change (old → new), what is unchanged, and every problem by row and
//! column. Applying is all or nothing: every change goes into the outbox in one IndexedDB
//! transaction, so it works offline and reaches the server at the next sync.
//!
//! Its strings live here, not in the shared `i18n` tables, so the field app's bundle does not
//! carry them.

use leptos::{prelude::*, task::spawn_local};
use revisit_domain::{
    Customer, CustomerChange, CustomerId, Tier, UserId,
    edit::{Edit, FieldChange},
    import::{Column, ImportPlan, KnownTechnician, PlanCounts, Problem, RowAction, plan},
    wire::{Entity, MutationOp, Role, UserCard},
};
use uuid::Uuid;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::{
    i18n::Lang,
    pages::{show_stored, stored_data, today},
    state::{AppState, app_state},
    storage,
};

/// The import page's strings in one language.
pub struct ImportTexts {
    /// Page title, and the customers page's button to it.
    pub title: &'static str,
    /// What the page does, above the file chooser.
    pub intro: &'static str,
    /// The file chooser's label.
    pub choose_file: &'static str,
    /// The file's name and how it was decoded.
    pub read_as: fn(&str, &str) -> String,
    /// Counts of the plan.
    pub counts: fn(PlanCounts, usize) -> String,
    /// Heading of the problems.
    pub problems: &'static str,
    /// Heading of the additions.
    pub added: &'static str,
    /// Heading of the changes.
    pub changed: &'static str,
    /// Heading of the unchanged customers.
    pub unchanged: &'static str,
    /// Column header: row number.
    pub row: &'static str,
    /// Column header: column.
    pub column: &'static str,
    /// Column header: problem.
    pub problem: &'static str,
    /// Column header: the changes.
    pub changes: &'static str,
    /// The apply button.
    pub apply: &'static str,
    /// While applying.
    pub applying: &'static str,
    /// Why the button is disabled.
    pub fix_first: &'static str,
    /// After applying.
    pub applied: fn(PlanCounts) -> String,
    /// A file that cannot be read.
    pub unreadable: &'static str,
    /// Tier names.
    pub vip: &'static str,
    /// Tier names.
    pub normal: &'static str,
    /// A column's name.
    pub column_name: fn(Column) -> &'static str,
    /// A problem, in words.
    pub problem_text: fn(&Problem) -> String,
}

/// 简体中文
pub const ZH: ImportTexts = ImportTexts {
    title: "导入客户",
    intro: "上传表格导出的 CSV 文件（UTF-8 或 Excel 的 GBK 编码）。先预览：新增、更新（旧值 → 新值）、无变化，以及每个问题所在的行和列；没有问题才能导入，导入全部或者都不导入。",
    choose_file: "选择 CSV 文件",
    read_as: |name, encoding| format!("{name}（{encoding} 编码）"),
    counts: |n, problems| {
        format!(
            "新增 {} · 更新 {} · 无变化 {} · 问题 {}",
            n.added, n.changed, n.unchanged, problems
        )
    },
    problems: "问题",
    added: "将新增",
    changed: "将更新",
    unchanged: "无变化",
    row: "行",
    column: "列",
    problem: "问题",
    changes: "变更",
    apply: "全部导入",
    applying: "正在导入…",
    fix_first: "文件有问题，改正后重新上传，才能导入。",
    applied: |n| {
        format!(
            "已导入：新增 {}，更新 {}；下次同步时送达服务器。",
            n.added, n.changed
        )
    },
    unreadable: "无法读取该文件",
    vip: "VIP",
    normal: "普通",
    column_name: |c| c.zh(),
    problem_text: |p| match p {
        Problem::UnclosedQuote => "引号没有闭合，其后内容无法读取".into(),
        Problem::NoHeader => "文件没有标题行".into(),
        Problem::UnknownColumn(h) => format!("未知的列“{h}”"),
        Problem::TwiceColumn(h) => format!("列“{h}”出现了两次"),
        Problem::MissingColumn => "缺少此列".into(),
        Problem::ExtraFields(n) => format!("比标题行多 {n} 个字段"),
        Problem::Empty => "不能为空".into(),
        Problem::NotPhone(v) => format!("“{v}”不是电话号码"),
        Problem::NotDate(v) => format!("“{v}”不是有效日期（如 2026-11-30）"),
        Problem::Future(d) => format!("{d} 晚于今天"),
        Problem::BeforePurchase(d, b) => format!("{d} 早于购买日期 {b}"),
        Problem::NotTier(v) => format!("“{v}”既不是 VIP 也不是 普通"),
        Problem::UnknownTechnician(v) => format!("“{v}”不是本单位的技术员"),
        Problem::AmbiguousTechnician(v) => format!("有多位技术员叫“{v}”，请写登录名"),
        Problem::UnknownId(v) => format!("没有编号为“{v}”的客户"),
        Problem::SameAsRow(r) => format!("与第 {r} 行是同一客户"),
        Problem::AmbiguousPhone(v) => format!("多位客户的号码是“{v}”，请加编号列"),
        Problem::Invalid(why) => format!("不符合要求：{why}"),
    },
};

/// English
pub const EN: ImportTexts = ImportTexts {
    title: "Import customers",
    intro: "Upload a CSV file exported from a spreadsheet (UTF-8, or the GBK Excel writes). Preview first: what is added, what changes (old → new), what is unchanged, and every problem by row and column; a file with problems cannot be imported, and it is imported whole or not at all.",
    choose_file: "Choose a CSV file",
    read_as: |name, encoding| format!("{name} (read as {encoding})"),
    counts: |n, problems| {
        format!(
            "{} to add · {} to change · {} unchanged · {} problems",
            n.added, n.changed, n.unchanged, problems
        )
    },
    problems: "Problems",
    added: "To add",
    changed: "To change",
    unchanged: "Unchanged",
    row: "Row",
    column: "Column",
    problem: "Problem",
    changes: "Changes",
    apply: "Import all",
    applying: "Importing…",
    fix_first: "The file has problems: correct them and upload it again to import.",
    applied: |n| {
        format!(
            "Imported: {} added, {} changed; they reach the server at the next sync.",
            n.added, n.changed
        )
    },
    unreadable: "The file cannot be read",
    vip: "VIP",
    normal: "Normal",
    column_name: |c| match c {
        Column::Id => "ID",
        Column::Name => "Name",
        Column::Phone => "Phone",
        Column::Address => "Address",
        Column::Tier => "Tier",
        Column::Product => "Product",
        Column::PurchasedOn => "Purchased on",
        Column::InstalledOn => "Installed on",
        Column::RepairedOn => "Repaired on",
        Column::Technician => "Technician",
    },
    problem_text: |p| p.to_string(),
};

/// The import page's strings in `lang`.
pub fn texts(lang: Lang) -> &'static ImportTexts {
    match lang {
        Lang::ZhCn => &ZH,
        Lang::En => &EN,
    }
}

/// A file as read: its name, its text and the encoding it was read as.
#[derive(Clone, Debug, PartialEq)]
struct Decoded {
    name: String,
    encoding: &'static str,
    text: String,
}

/// `bytes` as text: UTF-8 when they are valid UTF-8 (a byte-order mark is dropped), else GBK,
/// which is what Excel writes on Chinese Windows.
fn decode(bytes: &[u8]) -> Result<(&'static str, String), JsValue> {
    let options = web_sys::TextDecoderOptions::new();
    options.set_fatal(true);
    let utf8 = web_sys::TextDecoder::new_with_label_and_options("utf-8", &options)?;
    if let Ok(text) = utf8.decode_with_u8_array(bytes) {
        return Ok(("UTF-8", text));
    }
    let gbk = web_sys::TextDecoder::new_with_label("gbk")?;
    Ok(("GBK", gbk.decode_with_u8_array(bytes)?))
}

/// The first file chosen in the input `ev` comes from, read and decoded.
async fn read_file(ev: &leptos::ev::Event) -> Result<Option<Decoded>, JsValue> {
    let Some(input) = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
    else {
        return Ok(None);
    };
    let Some(file) = input.files().and_then(|f| f.get(0)) else {
        return Ok(None);
    };
    // Cleared, so choosing the same file again (corrected) reads it again.
    input.set_value("");
    let buffer = JsFuture::from(file.array_buffer()).await?;
    let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
    let (encoding, text) = decode(&bytes)?;
    Ok(Some(Decoded {
        name: file.name(),
        encoding,
        text,
    }))
}

/// The organisation's active technicians as the planner finds them (by display name: the
/// desk's user cards carry no login names).
fn technicians(users: &[UserCard]) -> Vec<KnownTechnician> {
    users
        .iter()
        .filter(|u| u.role == Role::Technician && u.active)
        .map(|u| KnownTechnician {
            id: u.id,
            username: None,
            name: u.name.clone(),
        })
        .collect()
}

/// Writes every addition and change of `plan` into the outbox, with the customers as they
/// will be, in one transaction.
async fn apply(state: AppState, plan: ImportPlan) -> Result<PlanCounts, String> {
    let db = storage::app_db().await.map_err(|e| e.to_string())?;
    let mut edits = Vec::new();
    for row in &plan.rows {
        let (customer, base_version, changes) = match &row.action {
            RowAction::Unchanged(_) => continue,
            RowAction::Add(c) => (c, 0, c.as_changes()),
            RowAction::Change { after, changes, .. } => {
                let base = db
                    .version(&after.id.to_string())
                    .await
                    .map_err(|e| e.to_string())?;
                (after, base, changes.clone())
            }
        };
        let op = MutationOp::EditCustomer(Edit {
            id: customer.id,
            base_version,
            changes,
        });
        edits.push((op, Entity::Customer(customer.clone())));
    }
    db.save_edits(edits).await.map_err(|e| e.to_string())?;
    state.data_changed();
    state.sync();
    Ok(plan.counts())
}

/// The import page.
#[component]
pub fn ImportPage() -> impl IntoView {
    let state = app_state();
    let t = move || texts(state.lang.get());
    let data = stored_data(state, false);
    let file = RwSignal::new(None::<Decoded>);
    let unreadable = RwSignal::new(false);
    let applied = RwSignal::new(None::<Result<PlanCounts, String>>);
    let planned = Memo::new(move |_| {
        let file = file.get()?;
        data.with(|d| match d {
            Some(Ok(stored)) => Some(plan(
                &file.text,
                &stored.customers,
                &technicians(&stored.users),
                today(),
                || CustomerId(Uuid::now_v7()),
            )),
            _ => None,
        })
    });
    let apply_plan = Action::new_local(move |plan: &ImportPlan| apply(state, plan.clone()));
    Effect::new(move |_| {
        if let Some(result) = apply_plan.value().get() {
            if result.is_ok() {
                file.set(None);
            }
            applied.set(Some(result));
        }
    });
    let on_file = move |ev: leptos::ev::Event| {
        applied.set(None);
        spawn_local(async move {
            match read_file(&ev).await {
                Ok(decoded) => {
                    unreadable.set(false);
                    file.set(decoded);
                }
                Err(_) => {
                    unreadable.set(true);
                    file.set(None);
                }
            }
        });
    };
    view! {
        <section class="import">
            <div class="customer-head">
                <h1>{move || t().title}</h1>
                <a class="button ghost" href="/desk/customers">{move || state.lang.get().t().back}</a>
            </div>
            <p class="hint">{move || t().intro}</p>
            <label class="file-choice card">
                <span>{move || t().choose_file}</span>
                <input id="import-file" type="file" accept=".csv,text/csv" on:change=on_file/>
            </label>
            {move || unreadable.get().then(|| view! { <p class="banner error" role="alert">{t().unreadable}</p> })}
            {move || applied.get().map(|r| match r {
                Ok(n) => view! { <p id="import-applied" class="banner ok" role="status">{(t().applied)(n)}</p> }.into_any(),
                Err(e) => view! { <p class="banner error" role="alert">{e}</p> }.into_any(),
            })}
            {show_stored(state, data, move |stored| {
                let users = stored.users.clone();
                move || {
                    let (Some(plan), Some(decoded)) = (planned.get(), file.get()) else {
                        return ().into_any();
                    };
                    let t = t();
                    let counts = plan.counts();
                    let can_apply = plan.applicable();
                    let to_apply = plan.clone();
                    view! {
                        <p id="import-file-name" class="hint">{(t.read_as)(&decoded.name, decoded.encoding)}</p>
                        <p id="import-counts" class="count">{(t.counts)(counts, plan.problems.len())}</p>
                        <div class="actions">
                            <button id="import-apply" class="primary"
                                disabled=move || !can_apply || apply_plan.pending().get()
                                on:click=move |_| { apply_plan.dispatch_local(to_apply.clone()); }>
                                {move || if apply_plan.pending().get() { t.applying } else { t.apply }}
                            </button>
                        </div>
                        {(!plan.problems.is_empty()).then(|| view! { <p class="banner error" role="alert">{t.fix_first}</p> })}
                        <Preview plan=plan users=users.clone() t=t/>
                    }.into_any()
                }
            })}
        </section>
    }
}

/// The plan, in tables: problems, additions, changes (old → new), unchanged.
#[component]
fn Preview(
    /// The import's plan.
    plan: ImportPlan,
    /// The organisation's users, for technicians' names.
    users: Vec<UserCard>,
    /// The strings.
    t: &'static ImportTexts,
) -> impl IntoView {
    let name_of = move |id: UserId| {
        users
            .iter()
            .find(|u| u.id == id)
            .map_or_else(|| id.to_string(), |u| u.name.clone())
    };
    let value = move |change: &CustomerChange| match change {
        CustomerChange::Name(v)
        | CustomerChange::Phone(v)
        | CustomerChange::Address(v)
        | CustomerChange::Product(v) => v.clone(),
        CustomerChange::Tier(Tier::Vip) => t.vip.to_string(),
        CustomerChange::Tier(Tier::Normal) => t.normal.to_string(),
        CustomerChange::PurchasedOn(d) => d.to_string(),
        CustomerChange::InstalledOn(d) | CustomerChange::RepairedOn(d) => {
            d.map_or_else(|| "—".to_string(), |d| d.to_string())
        }
        CustomerChange::Technician(id) => name_of(*id),
    };
    let mut added: Vec<(usize, Customer)> = Vec::new();
    let mut changed = Vec::new();
    let mut unchanged: Vec<(usize, Customer)> = Vec::new();
    for row in plan.rows {
        match row.action {
            RowAction::Add(c) => added.push((row.row, c)),
            RowAction::Change {
                before, changes, ..
            } => {
                let lines: Vec<(Column, String, String)> = changes
                    .iter()
                    .filter_map(|c| {
                        let column = Column::of_field(c.field())?;
                        Some((column, value(&c.current(&before)), value(c)))
                    })
                    .collect();
                changed.push((row.row, before.name.clone(), lines));
            }
            RowAction::Unchanged(c) => unchanged.push((row.row, c)),
        }
    }
    let tier = move |c: &Customer| if c.tier == Tier::Vip { t.vip } else { t.normal };
    let cell_column = move |c: Option<Column>| c.map_or("", |c| (t.column_name)(c));
    view! {
        {(!plan.problems.is_empty()).then(|| view! {
            <h2>{t.problems}</h2>
            <table class="card" id="import-problems">
                <thead><tr><th>{t.row}</th><th>{t.column}</th><th>{t.problem}</th></tr></thead>
                <tbody>
                    {plan.problems.iter().map(|p| view! {
                        <tr data-testid="import-problem" data-row=p.row.to_string() data-column=p.column.map_or("", Column::en)>
                            <td>{p.row}</td><td>{cell_column(p.column)}</td><td>{(t.problem_text)(&p.problem)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        })}
        {(!changed.is_empty()).then(|| view! {
            <h2>{t.changed}</h2>
            <table class="card" id="import-changed">
                <thead><tr><th>{t.row}</th><th>{(t.column_name)(Column::Name)}</th><th>{t.changes}</th></tr></thead>
                <tbody>
                    {changed.into_iter().map(|(row, name, lines)| view! {
                        <tr data-testid="import-change" data-row=row.to_string()>
                            <td>{row}</td><td>{name}</td>
                            <td><ul class="changes">
                                {lines.into_iter().map(|(column, old, new)| view! {
                                    <li data-testid="import-change-field" data-column=column.en()>
                                        <b>{(t.column_name)(column)}</b>": "<s>{old}</s>" → "<ins>{new}</ins>
                                    </li>
                                }).collect_view()}
                            </ul></td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        })}
        {(!added.is_empty()).then(|| view! {
            <h2>{t.added}</h2>
            <table class="card" id="import-added">
                <thead><tr>
                    <th>{t.row}</th><th>{(t.column_name)(Column::Name)}</th><th>{(t.column_name)(Column::Phone)}</th>
                    <th>{(t.column_name)(Column::Address)}</th><th>{(t.column_name)(Column::Tier)}</th>
                    <th>{(t.column_name)(Column::Product)}</th><th>{(t.column_name)(Column::PurchasedOn)}</th>
                    <th>{(t.column_name)(Column::Technician)}</th>
                </tr></thead>
                <tbody>
                    {added.into_iter().map(|(row, c)| view! {
                        <tr data-testid="import-add" data-row=row.to_string()>
                            <td>{row}</td><td>{c.name.clone()}</td><td>{c.phone.clone()}</td><td>{c.address.clone()}</td>
                            <td>{tier(&c)}</td><td>{c.product.clone()}</td><td>{c.purchased_on.to_string()}</td>
                            <td>{value(&CustomerChange::Technician(c.technician_id))}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        })}
        {(!unchanged.is_empty()).then(|| view! {
            <details class="card" id="import-unchanged">
                <summary>{format!("{} ({})", t.unchanged, unchanged.len())}</summary>
                <ul>
                    {unchanged.into_iter().map(|(row, c)| view! {
                        <li data-testid="import-same" data-row=row.to_string()>{format!("{row} · {} · {}", c.name, c.phone)}</li>
                    }).collect_view()}
                </ul>
            </details>
        })}
    }
}
