//! The working-day calendar on the policy page (`/desk/policy`): the years the organisation's
//! calendar covers, with their holidays (放假) and make-up working days (调休上班), and for
//! administrators the form that enters a year the State Council has just published, or
//! corrects one. An online action: the server reads and checks the entry with the domain's
//! `policy::year_entry` and answers what is wrong, by field; devices receive the new calendar
//! at their next pull. Its strings are its own ([`CalendarTexts`]), so the field app's bundle
//! does not carry them.

use leptos::{prelude::*, task::spawn_local};
use revisit_domain::{
    policy::{CalendarYearProblem, DayList, days_text},
    time::{china, date_text, minute_text},
    wire::{CalendarEntryReply, CalendarYearEntry, OrgCalendar},
};

use crate::{
    i18n::Lang,
    state::app_state,
    sync::{self, SyncError},
};

/// Every string of the calendar section, in one language.
pub struct CalendarTexts {
    /// The section's heading.
    pub title: &'static str,
    /// What the calendar is for and when devices get it.
    pub hint: &'static str,
    /// Column headings: year, holidays, make-up working days, entered.
    pub year: &'static str,
    /// 放假.
    pub holidays: &'static str,
    /// 调休上班.
    pub make_up: &'static str,
    /// Who entered the year, when.
    pub entered: &'static str,
    /// A year shipped with the app.
    pub shipped: &'static str,
    /// (login name, time).
    pub entered_by: fn(&str, &str) -> String,
    /// No make-up day.
    pub none: &'static str,
    /// Fills the form with a year, to correct it.
    pub edit: &'static str,
    /// The form's heading.
    pub form_title: &'static str,
    /// How to write the days.
    pub days_hint: &'static str,
    /// Saves the year.
    pub save: &'static str,
    /// While saving.
    pub saving: &'static str,
    /// Saved: (year).
    pub saved: fn(i32) -> String,
    /// For a desk user who is not an administrator.
    pub admins_only: &'static str,
    /// When the server cannot be reached.
    pub offline: &'static str,
    /// A year that is not a number in range.
    pub bad_year: &'static str,
    /// (the text): neither a date nor a range.
    pub not_a_date: fn(&str) -> String,
    /// (the text): a range backwards or longer than a month.
    pub bad_range: fn(&str) -> String,
    /// (the date, the year): a date of another year.
    pub other_year: fn(&str, i32) -> String,
    /// No holiday entered.
    pub no_holidays: &'static str,
    /// (the date): listed as both.
    pub both: fn(&str) -> String,
    /// (the date): a make-up day on a weekday.
    pub weekday_make_up: fn(&str) -> String,
}

/// 简体中文.
pub const ZH: CalendarTexts = CalendarTexts {
    title: "工作日历（节假日与调休）",
    hint: "按工作日计算的回访时限跳过放假日期、计入调休上班日。未录入的年份只按周末计算，回访日程上相关的回访标注“日期未计节假日”。国务院办公厅公布新一年的节假日安排后，请在此录入；各设备下次同步时收到新日历。",
    year: "年份",
    holidays: "放假",
    make_up: "调休上班",
    entered: "来源",
    shipped: "系统自带",
    entered_by: |who, at| format!("{who}，{at}录入"),
    none: "无",
    edit: "修改",
    form_title: "录入或修改一年",
    days_hint: "填写日期或日期区间，例如 2027-01-01、2027-02-06~2027-02-12；用逗号、顿号、空格或换行分隔。保存后替换该年原有的全部日期。",
    save: "保存",
    saving: "正在保存…",
    saved: |y| format!("{y} 年的节假日安排已保存，各设备下次同步时生效。"),
    admins_only: "只有管理员可以录入节假日。",
    offline: "当前无法连接服务器。录入节假日需要联网，请联网后重试。",
    bad_year: "请填写 2000 至 2099 之间的年份。",
    not_a_date: |t| {
        format!("“{t}”不是日期或日期区间，请写成 2027-01-01 或 2027-02-06~2027-02-12。")
    },
    bad_range: |t| format!("区间“{t}”有误：结束日期早于开始日期，或超过 31 天。"),
    other_year: |d, y| format!("{d} 不在 {y} 年内。"),
    no_holidays: "请至少填写一个放假日期。",
    both: |d| format!("{d} 不能既放假又调休上班。"),
    weekday_make_up: |d| format!("{d} 本是工作日：调休上班日应是周六或周日。"),
};

/// English.
pub const EN: CalendarTexts = CalendarTexts {
    title: "Working-day calendar (holidays and make-up days)",
    hint: "Deadlines counted in working days skip the holidays and count the make-up working days. A year not entered counts weekends only, and the agenda marks what it affects \"Holidays not counted\". Once the State Council publishes a new year's holidays, enter them here; devices get the new calendar at their next sync.",
    year: "Year",
    holidays: "Holidays",
    make_up: "Make-up working days",
    entered: "Source",
    shipped: "Shipped",
    entered_by: |who, at| format!("{who}, {at}"),
    none: "none",
    edit: "Edit",
    form_title: "Enter or correct a year",
    days_hint: "Dates or ranges, e.g. 2027-01-01, 2027-02-06~2027-02-12, separated by commas, spaces or new lines. Saving replaces all of that year's days.",
    save: "Save",
    saving: "Saving…",
    saved: |y| format!("The holidays of {y} are saved; devices get them at their next sync."),
    admins_only: "Only administrators enter holidays.",
    offline: "The server cannot be reached. Entering holidays needs the network; try again once online.",
    bad_year: "Enter a year from 2000 to 2099.",
    not_a_date: |t| {
        format!("“{t}” is neither a date nor a range: write 2027-01-01 or 2027-02-06~2027-02-12.")
    },
    bad_range: |t| format!("The range “{t}” ends before it starts, or is longer than 31 days."),
    other_year: |d, y| format!("{d} is not in {y}."),
    no_holidays: "Enter at least one holiday.",
    both: |d| format!("{d} cannot be both a holiday and a make-up working day."),
    weekday_make_up: |d| {
        format!("{d} is a weekday: make-up working days are Saturdays or Sundays.")
    },
};

/// The calendar section's strings in `lang`.
pub fn texts(lang: Lang) -> &'static CalendarTexts {
    match lang {
        Lang::ZhCn => &ZH,
        Lang::En => &EN,
    }
}

/// Which input a problem is about.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Field {
    Year,
    Holidays,
    MakeUp,
    /// Not one field: shown under the form.
    Form,
}

/// A refused entry in `t`'s words, and the field it concerns.
fn problem(t: &CalendarTexts, year: i32, p: &CalendarYearProblem) -> (Field, String) {
    let field = |list: &DayList| match list {
        DayList::Holidays => Field::Holidays,
        DayList::MakeUpWorkingDays => Field::MakeUp,
    };
    match p {
        CalendarYearProblem::Year => (Field::Year, t.bad_year.into()),
        CalendarYearProblem::NotADate { list, text } => (field(list), (t.not_a_date)(text)),
        CalendarYearProblem::BadRange { list, text } => (field(list), (t.bad_range)(text)),
        CalendarYearProblem::OtherYear { list, date } => {
            (field(list), (t.other_year)(&date_text(*date), year))
        }
        CalendarYearProblem::NoHolidays => (Field::Holidays, t.no_holidays.into()),
        CalendarYearProblem::Both { date } => (Field::MakeUp, (t.both)(&date_text(*date))),
        CalendarYearProblem::WeekdayMakeUp { date } => {
            (Field::MakeUp, (t.weekday_make_up)(&date_text(*date)))
        }
    }
}

/// Days as [`days_text`] writes them, each date or range kept on one line.
fn days_view(text: String) -> impl IntoView {
    let mut first = true;
    text.split(", ")
        .map(|d| {
            let sep = if std::mem::take(&mut first) { "" } else { ", " };
            view! { {sep}<span class="nowrap">{d.to_owned()}</span> }
        })
        .collect_view()
}

/// The calendar section of the policy page.
#[component]
pub fn CalendarSection() -> impl IntoView {
    let state = app_state();
    let t = move || texts(state.lang.get());
    let calendar = RwSignal::new(None::<Result<OrgCalendar, SyncError>>);
    let year = RwSignal::new(String::new());
    let holidays = RwSignal::new(String::new());
    let make_up = RwSignal::new(String::new());
    let error = RwSignal::new(None::<(Field, String)>);
    let saved = RwSignal::new(None::<i32>);
    let load = move || {
        let Some(session) = state.session.get_untracked() else {
            return;
        };
        spawn_local(async move { calendar.set(Some(sync::calendar(&session).await)) });
    };
    load();
    let administers = move || {
        state
            .session
            .get()
            .is_some_and(|s| s.user.role.administers())
    };
    let failed = move |e: &SyncError| match e {
        SyncError::Offline(_) => t().offline.to_owned(),
        e => state.lang.get_untracked().t().sync_error(e),
    };
    let save = Action::new_local(move |entry: &CalendarYearEntry| {
        let entry = entry.clone();
        let session = state.session.get_untracked();
        async move {
            let session = session?;
            match sync::enter_calendar_year(&session, &entry).await {
                Ok(CalendarEntryReply::Saved(now)) => {
                    error.set(None);
                    saved.set(Some(entry.year));
                    calendar.set(Some(Ok(now)));
                    // This desk follows the new calendar too, from its own pull.
                    state.sync();
                }
                Ok(CalendarEntryReply::Invalid(p)) => error.set(Some(problem(t(), entry.year, &p))),
                Err(e) => error.set(Some((Field::Form, failed(&e)))),
            }
            Some(())
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saved.set(None);
        let Ok(y) = year.get_untracked().trim().parse::<i32>() else {
            error.set(Some((Field::Year, t().bad_year.into())));
            return;
        };
        save.dispatch(CalendarYearEntry {
            year: y,
            holidays: holidays.get_untracked(),
            make_up_working_days: make_up.get_untracked(),
        });
    };
    let wrong = move |field: Field| error.with(|e| e.as_ref().is_some_and(|(f, _)| *f == field));
    let message = move |field: Field, id: &'static str| {
        error
            .get()
            .filter(|(f, _)| *f == field)
            .map(|(_, m)| view! { <small class="field-error" id=id role="alert">{m}</small> })
    };
    let rows = move |c: &OrgCalendar| {
        let t = t();
        c.years
            .iter()
            .map(|y| {
                let entered = match (&y.entered_by, y.entered_at) {
                    (Some(who), Some(at)) => {
                        (t.entered_by)(who, &minute_text(at.with_timezone(&china()).naive_local()))
                    }
                    _ => t.shipped.to_owned(),
                };
                let make_up_days = if y.make_up_working_days.is_empty() {
                    t.none.to_owned()
                } else {
                    days_text(&y.make_up_working_days)
                };
                let fill = (
                    y.year,
                    days_text(&y.holidays),
                    days_text(&y.make_up_working_days),
                );
                view! {
                    <tr data-testid="calendar-year" data-year=y.year.to_string()>
                        <td>{y.year}</td>
                        <td>{days_view(days_text(&y.holidays))}</td>
                        <td>{days_view(make_up_days)}</td>
                        <td>{entered}</td>
                        {administers().then(|| view! {
                            <td><button class="secondary" type="button" on:click=move |_| {
                                year.set(fill.0.to_string());
                                holidays.set(fill.1.clone());
                                make_up.set(fill.2.clone());
                                error.set(None);
                            }>{t.edit}</button></td>
                        })}
                    </tr>
                }
            })
            .collect_view()
    };
    view! {
        <h2 id="calendar">{move || t().title}</h2>
        <div class="card policy-calendar">
            <p class="hint">{move || t().hint}</p>
            {move || match calendar.get() {
                None => view! { <p class="empty">{state.lang.get().t().loading}</p> }.into_any(),
                Some(Err(e)) => view! {
                    <p class="banner notice" id="calendar-offline">{failed(&e)}</p>
                    <button class="secondary" on:click=move |_| load()>{state.lang.get().t().retry}</button>
                }
                .into_any(),
                Some(Ok(c)) => view! {
                    <div class="table-scroll">
                        <table id="calendar-years">
                            <thead><tr>
                                <th>{t().year}</th><th>{t().holidays}</th><th>{t().make_up}</th><th>{t().entered}</th>
                                {administers().then(|| view! { <th></th> })}
                            </tr></thead>
                            <tbody>{rows(&c)}</tbody>
                        </table>
                    </div>
                }
                .into_any(),
            }}
            {move || saved.get().map(|y| view! { <p class="banner notice" id="calendar-saved" role="status">{(t().saved)(y)}</p> })}
            {move || if administers() {
                view! {
                    <form class="form-grid" id="calendar-form" on:submit=submit novalidate>
                        <h3>{move || t().form_title}</h3>
                        <label class:invalid=move || wrong(Field::Year)>
                            {move || t().year}
                            <input id="calendar-year" type="text" inputmode="numeric" autocomplete="off"
                                prop:value=move || year.get() on:input=move |ev| year.set(event_target_value(&ev))/>
                            {move || message(Field::Year, "calendar-year-error")}
                        </label>
                        <label class:invalid=move || wrong(Field::Holidays)>
                            {move || t().holidays}
                            <textarea id="calendar-holidays" rows="3" spellcheck="false"
                                prop:value=move || holidays.get() on:input=move |ev| holidays.set(event_target_value(&ev))></textarea>
                            {move || message(Field::Holidays, "calendar-holidays-error")}
                        </label>
                        <label class:invalid=move || wrong(Field::MakeUp)>
                            {move || t().make_up}
                            <textarea id="calendar-make-up" rows="2" spellcheck="false"
                                prop:value=move || make_up.get() on:input=move |ev| make_up.set(event_target_value(&ev))></textarea>
                            {move || message(Field::MakeUp, "calendar-make-up-error")}
                        </label>
                        <small class="field-error hint">{move || t().days_hint}</small>
                        {move || message(Field::Form, "calendar-form-error")}
                        <div class="actions">
                            <button id="calendar-save" class="primary" type="submit" disabled=move || save.pending().get()>
                                {move || if save.pending().get() { t().saving } else { t().save }}
                            </button>
                        </div>
                    </form>
                }
                .into_any()
            } else {
                view! { <p class="hint">{move || t().admins_only}</p> }.into_any()
            }}
        </div>
    }
}
