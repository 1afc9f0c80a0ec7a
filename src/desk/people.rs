//! `/desk/people` (人员): the organisation's users, asked of the server (online actions: a
//! one-time password is the server's answer, shown once), and for administrators the form to
//! add a person, and per person: reset the password, change role and team, deactivate or
//! reactivate (after a confirmation). Managers see the list only. Its strings are its own
//! ([`PeopleTexts`]), so the field app's bundle does not carry them.

use leptos::{prelude::*, task::spawn_local};
use revisit_domain::{
    UserId,
    time::{china, minute_text},
    wire::{ErrorCode, NewPerson, OneTimePassword, Person, PersonChange, PersonProblem, Role},
};

use crate::{
    i18n::Lang,
    state::{AppState, app_state},
    sync::{self, SyncError},
};

/// Every string of the people page, in one language.
pub struct PeopleTexts {
    /// The page's title and its link in the header.
    pub title: &'static str,
    /// Under the title: why this page needs the network.
    pub online_note: &'static str,
    /// When the server cannot be reached.
    pub offline: &'static str,
    /// While the list loads.
    pub loading: &'static str,
    /// Try a failed load again.
    pub retry: &'static str,
    /// For a desk user below a manager.
    pub managers_only: &'static str,
    /// For a manager: the list only.
    pub admins_change: &'static str,
    /// The add form's heading and button.
    pub add_person: &'static str,
    /// While adding.
    pub adding: &'static str,
    /// Field labels and column headings.
    pub username: &'static str,
    /// Under the login name field.
    pub username_hint: &'static str,
    /// Display name.
    pub name: &'static str,
    /// Role.
    pub role: &'static str,
    /// Team (班组).
    pub team: &'static str,
    /// Whether active.
    pub status: &'static str,
    /// Latest login.
    pub last_login: &'static str,
    /// Latest sync of one of their devices.
    pub last_sync: &'static str,
    /// The actions column.
    pub actions: &'static str,
    /// Status: active.
    pub active: &'static str,
    /// Status: deactivated.
    pub inactive: &'static str,
    /// Status: has not chosen their own password yet.
    pub must_change: &'static str,
    /// Beside the user's own row.
    pub you: &'static str,
    /// The one-time password panel's heading.
    pub one_time_password: &'static str,
    /// What to do with it: (display name, login name).
    pub hand_over: fn(&str, &str) -> String,
    /// Closes the panel (the password is gone for good then).
    pub noted: &'static str,
    /// Per-person actions.
    pub reset_password: &'static str,
    /// Deactivate.
    pub deactivate: &'static str,
    /// Reactivate.
    pub reactivate: &'static str,
    /// Open the role and team editor.
    pub change: &'static str,
    /// Save a change.
    pub save: &'static str,
    /// Cancel a change or a confirmation.
    pub cancel: &'static str,
    /// Confirm an action.
    pub confirm: &'static str,
    /// Asks before a reset: (display name).
    pub confirm_reset: fn(&str) -> String,
    /// Asks before a deactivation: (display name).
    pub confirm_deactivate: fn(&str) -> String,
    /// Asks before a reactivation: (display name).
    pub confirm_reactivate: fn(&str) -> String,
    /// How many people: (count).
    pub count: fn(usize) -> String,
    /// A refused login name.
    pub bad_username: &'static str,
    /// A login name someone has.
    pub username_taken: &'static str,
    /// An empty or too long name.
    pub bad_name: &'static str,
    /// A too long team.
    pub bad_team: &'static str,
    /// The last active administrator.
    pub last_admin: &'static str,
    /// One's own account.
    pub own_account: &'static str,
    /// The person is no longer there (another organisation's, or gone).
    pub not_found: &'static str,
    /// Only administrators.
    pub admin_only: &'static str,
    /// Anything else: (the server's or the browser's words).
    pub failed: fn(&str) -> String,
    /// Role names, in the policies' words.
    pub roles: [&'static str; 6],
}

/// 简体中文.
pub const ZH: PeopleTexts = PeopleTexts {
    title: "人员",
    online_note: "人员管理需要联网：新增人员、重置密码、停用等操作由服务器当场确认。",
    offline: "当前无法连接服务器。人员管理只能在联网时进行，请联网后重试。",
    loading: "正在加载…",
    retry: "重试",
    managers_only: "仅经理及以上可查看人员。",
    admins_change: "仅管理员可以新增或修改人员。",
    add_person: "新增人员",
    adding: "正在添加…",
    username: "登录名",
    username_hint: "字母、数字及 . _ - @，最多 64 个字符",
    name: "姓名",
    role: "角色",
    team: "班组",
    status: "状态",
    last_login: "最近登录",
    last_sync: "最近同步",
    actions: "操作",
    active: "在用",
    inactive: "已停用",
    must_change: "待设置密码",
    you: "（本人）",
    one_time_password: "一次性密码",
    hand_over: |name, username| {
        format!(
            "请将此密码当面交给{name}（登录名 {username}）。密码只显示这一次，关闭后无法再查看；对方首次登录时须设置自己的密码。"
        )
    },
    noted: "已交付，关闭",
    reset_password: "重置密码",
    deactivate: "停用",
    reactivate: "启用",
    change: "修改角色/班组",
    save: "保存",
    cancel: "取消",
    confirm: "确定",
    confirm_reset: |name| {
        format!("确定为{name}重置密码？其所有设备将被登出，需用新的一次性密码登录。")
    },
    confirm_deactivate: |name| {
        format!("确定停用{name}？其所有设备将被登出，设备上未同步的数据会保留。")
    },
    confirm_reactivate: |name| format!("确定重新启用{name}？对方可再次登录。"),
    count: |n| format!("共 {n} 人"),
    bad_username: "登录名只能包含字母、数字及 . _ - @，1 到 64 个字符",
    username_taken: "该登录名已被使用，请换一个",
    bad_name: "请填写姓名（最多 64 个字符）",
    bad_team: "班组名称最多 64 个字符",
    last_admin: "至少要保留一名在用的管理员：请先指定另一位管理员",
    own_account: "不能在此停用、降级或重置自己的账号；修改自己的密码请点右上角的姓名",
    not_found: "找不到此人，请刷新列表",
    admin_only: "仅管理员可执行此操作",
    failed: |why| format!("操作未完成：{why}"),
    roles: ["技术员", "客服专员", "主管", "经理", "总监", "管理员"],
};

/// English.
pub const EN: PeopleTexts = PeopleTexts {
    title: "People",
    online_note: "People are managed online: adding a person, resetting a password and deactivating are confirmed by the server at once.",
    offline: "The server cannot be reached. People can only be managed online: connect and try again.",
    loading: "Loading…",
    retry: "Try again",
    managers_only: "Only managers and above see people.",
    admins_change: "Only administrators add or change people.",
    add_person: "Add a person",
    adding: "Adding…",
    username: "Login name",
    username_hint: "letters, digits and . _ - @, at most 64 characters",
    name: "Name",
    role: "Role",
    team: "Team",
    status: "Status",
    last_login: "Last login",
    last_sync: "Last sync",
    actions: "Actions",
    active: "Active",
    inactive: "Deactivated",
    must_change: "Password not chosen yet",
    you: " (you)",
    one_time_password: "One-time password",
    hand_over: |name, username| {
        format!(
            "Hand this password to {name} (login name {username}) in person. It is shown only this once; after closing it cannot be seen again. They choose their own password at first login."
        )
    },
    noted: "Handed over, close",
    reset_password: "Reset password",
    deactivate: "Deactivate",
    reactivate: "Reactivate",
    change: "Change role/team",
    save: "Save",
    cancel: "Cancel",
    confirm: "Confirm",
    confirm_reset: |name| {
        format!(
            "Reset {name}'s password? All their devices are logged out; they log in with the new one-time password."
        )
    },
    confirm_deactivate: |name| {
        format!(
            "Deactivate {name}? All their devices are logged out; unsynced work stays on the devices."
        )
    },
    confirm_reactivate: |name| format!("Reactivate {name}? They can log in again."),
    count: |n| format!("{n} people"),
    bad_username: "A login name has 1 to 64 characters: letters, digits and . _ - @",
    username_taken: "This login name is taken: choose another",
    bad_name: "Enter a name (at most 64 characters)",
    bad_team: "A team name has at most 64 characters",
    last_admin: "Keep at least one active administrator: make someone else one first",
    own_account: "You cannot deactivate, demote or reset yourself here; change your own password from your name at the top right",
    not_found: "This person is not there: reload the list",
    admin_only: "Only administrators may do this",
    failed: |why| format!("Not done: {why}"),
    roles: [
        "Technician",
        "Service assistant",
        "Supervisor",
        "Manager",
        "Director",
        "Administrator",
    ],
};

/// The people page's strings in `lang`.
pub fn texts(lang: Lang) -> &'static PeopleTexts {
    match lang {
        Lang::ZhCn => &ZH,
        Lang::En => &EN,
    }
}

impl PeopleTexts {
    /// `role` in the policies' words.
    pub fn role_name(&self, role: Role) -> &'static str {
        let i = Role::ALL.iter().position(|r| *r == role).unwrap_or(0);
        self.roles[i]
    }
}

/// The header's link to this page, for managers and up.
pub fn nav_link() -> impl IntoView {
    let state = app_state();
    move || {
        state
            .session
            .get()
            .filter(|s| s.user.role.manages())
            .map(|_| {
                view! { <a href="/desk/people" id="nav-people">{move || texts(state.lang.get()).title}</a> }
            })
    }
}

/// Which input a refusal is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Field {
    Username,
    Name,
    Team,
    /// Not one field: shown under the form.
    Form,
}

/// A failed call in `t`'s words, and the field it concerns.
fn refusal(t: &PeopleTexts, lang: Lang, e: &SyncError) -> (Field, String) {
    let code = match e {
        SyncError::Offline(_) => return (Field::Form, t.offline.into()),
        SyncError::Server { code, .. } => *code,
        e => return (Field::Form, (t.failed)(&lang.t().sync_error(e))),
    };
    match code {
        ErrorCode::BadUsername => (Field::Username, t.bad_username.into()),
        ErrorCode::UsernameTaken => (Field::Username, t.username_taken.into()),
        ErrorCode::BadName => (Field::Name, t.bad_name.into()),
        ErrorCode::BadTeam => (Field::Team, t.bad_team.into()),
        ErrorCode::LastAdmin => (Field::Form, t.last_admin.into()),
        ErrorCode::OwnAccount => (Field::Form, t.own_account.into()),
        ErrorCode::NotFound => (Field::Form, t.not_found.into()),
        ErrorCode::AdminOnly => (Field::Form, t.admin_only.into()),
        _ => (Field::Form, (t.failed)(&lang.t().sync_error(e))),
    }
}

/// A problem the browser finds before asking, in `t`'s words.
fn problem(t: &PeopleTexts, p: PersonProblem) -> (Field, String) {
    match p {
        PersonProblem::Username => (Field::Username, t.bad_username.into()),
        PersonProblem::Name => (Field::Name, t.bad_name.into()),
        PersonProblem::Team => (Field::Team, t.bad_team.into()),
    }
}

/// An expired session logs out like a sync run does: the next sync sees the 401.
fn after_failure(state: AppState, e: &SyncError) {
    if matches!(e, SyncError::Unauthorized) {
        state.sync();
    }
    if matches!(e, SyncError::Offline(_)) {
        state.reachable.set(false);
    }
}

/// What the server answered to the list, or why it could not.
#[derive(Clone)]
enum Loaded {
    Waiting,
    Failed(SyncError),
    Done(Vec<Person>),
}

/// A per-person action waiting for its confirmation.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Pending {
    Reset,
    Deactivate,
    Reactivate,
}

/// The people page.
#[component]
pub fn PeoplePage() -> impl IntoView {
    let state = app_state();
    let t = move || texts(state.lang.get());
    let loaded = RwSignal::new(Loaded::Waiting);
    // The one-time password just handed out: (display name, login name, password).
    let shown = RwSignal::new(None::<(String, String, String)>);
    let load = move || {
        let Some(session) = state.session.get_untracked() else {
            return;
        };
        loaded.set(Loaded::Waiting);
        spawn_local(async move {
            match sync::people::list(&session).await {
                Ok(people) => {
                    state.reachable.set(true);
                    loaded.set(Loaded::Done(people));
                }
                Err(e) => {
                    after_failure(state, &e);
                    loaded.set(Loaded::Failed(e));
                }
            }
        });
    };
    load();
    let me = move || state.session.get().map(|s| s.user);
    let manages = move || me().is_some_and(|u| u.role.manages());
    let administers = move || me().is_some_and(|u| u.role.administers());
    let on_password = move |otp: OneTimePassword| {
        shown.set(Some((otp.person.name, otp.person.username, otp.password)));
        load();
    };
    view! {
        <section class="people">
            <h1>{move || t().title}</h1>
            <p class="hint">{move || t().online_note}</p>
            {move || (!manages()).then(|| view! { <p class="empty">{t().managers_only}</p> })}
            <Show when=manages>
                {move || shown.get().map(|(name, username, password)| view! {
                    <div class="card one-time" id="one-time-password" role="status">
                        <h2>{t().one_time_password}</h2>
                        <p class="otp"><code id="otp-value">{password}</code></p>
                        <p>{(t().hand_over)(&name, &username)}</p>
                        <div class="actions">
                            <button id="otp-done" class="primary" on:click=move |_| shown.set(None)>{t().noted}</button>
                        </div>
                    </div>
                })}
                {move || if administers() {
                    view! { <AddPerson on_added=on_password/> }.into_any()
                } else {
                    view! { <p class="hint">{t().admins_change}</p> }.into_any()
                }}
                {move || match loaded.get() {
                    Loaded::Waiting => view! { <p class="empty">{t().loading}</p> }.into_any(),
                    Loaded::Failed(e) => {
                        let lang = state.lang.get();
                        let words = refusal(t(), lang, &e).1;
                        view! {
                            <p class="banner error" id="people-error" role="alert">{words}</p>
                            <button class="secondary" on:click=move |_| load()>{t().retry}</button>
                        }.into_any()
                    }
                    Loaded::Done(people) => view! {
                        <PeopleTable people=people administers=administers() on_password=on_password reload=load/>
                    }.into_any(),
                }}
            </Show>
        </section>
    }
}

/// The role choices, in the policies' order.
fn role_options(t: &'static PeopleTexts, selected: Role) -> impl IntoView {
    Role::ALL
        .into_iter()
        .map(|r| {
            let picked = r == selected;
            view! { <option value=r.code() selected=picked>{t.role_name(r)}</option> }
        })
        .collect_view()
}

/// The add form; what was typed stays until the server has added the person.
#[component]
fn AddPerson(
    /// Called with the new person's one-time password.
    on_added: impl Fn(OneTimePassword) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let state = app_state();
    let t = move || texts(state.lang.get());
    let username = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let role = RwSignal::new(Role::Technician);
    let team = RwSignal::new(String::new());
    let error = RwSignal::new(None::<(Field, String)>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let lang = state.lang.get_untracked();
        let t = texts(lang);
        let request = NewPerson {
            username: username.get_untracked(),
            name: name.get_untracked(),
            role: role.get_untracked(),
            team: team.get_untracked(),
        };
        let request = match request.checked() {
            Ok(r) => r,
            Err(p) => {
                error.set(Some(problem(t, p)));
                return;
            }
        };
        let Some(session) = state.session.get_untracked() else {
            return;
        };
        busy.set(true);
        spawn_local(async move {
            let result = sync::people::add(&session, &request).await;
            busy.set(false);
            match result {
                Ok(otp) => {
                    error.set(None);
                    username.set(String::new());
                    name.set(String::new());
                    team.set(String::new());
                    role.set(Role::Technician);
                    on_added(otp);
                }
                Err(e) => {
                    after_failure(state, &e);
                    error.set(Some(refusal(texts(lang), lang, &e)));
                }
            }
        });
    };
    let wrong = move |field: Field| error.get().is_some_and(|(f, _)| f == field);
    let message = move |field: Field| {
        error.get().filter(|(f, _)| *f == field).map(|(f, m)| {
            let id = match f {
                Field::Username => "person-username-error",
                Field::Name => "person-name-error",
                Field::Team => "person-team-error",
                Field::Form => "person-form-error",
            };
            view! { <small class="field-error" id=id role="alert">{m}</small> }
        })
    };
    view! {
        <form class="card form-grid" id="add-person" on:submit=submit novalidate>
            <h2>{move || t().add_person}</h2>
            <label class:invalid=move || wrong(Field::Username)>
                {move || t().username}
                <input id="person-username" type="text" autocomplete="off" autocapitalize="off" spellcheck="false"
                    prop:value=move || username.get()
                    on:input=move |ev| username.set(event_target_value(&ev))/>
                {move || match message(Field::Username) {
                    Some(m) => m.into_any(),
                    None => view! {
                        <small class="field-error hint" id="person-username-hint">{t().username_hint}</small>
                    }.into_any(),
                }}
            </label>
            <label class:invalid=move || wrong(Field::Name)>
                {move || t().name}
                <input id="person-name" type="text" autocomplete="off"
                    prop:value=move || name.get()
                    on:input=move |ev| name.set(event_target_value(&ev))/>
                {move || message(Field::Name)}
            </label>
            <label>
                {move || t().role}
                <select id="person-role" on:change=move |ev| {
                    if let Some(r) = Role::from_code(&event_target_value(&ev)) { role.set(r) }
                }>
                    {move || role_options(t(), role.get_untracked())}
                </select>
            </label>
            <label class:invalid=move || wrong(Field::Team)>
                {move || t().team}
                <input id="person-team" type="text" autocomplete="off"
                    prop:value=move || team.get()
                    on:input=move |ev| team.set(event_target_value(&ev))/>
                {move || message(Field::Team)}
            </label>
            {move || message(Field::Form).map(|m| view! { <p class="banner error">{m}</p> })}
            <div class="actions">
                <button id="person-add" class="primary" type="submit" disabled=move || busy.get()>
                    {move || if busy.get() { t().adding } else { t().add_person }}
                </button>
            </div>
        </form>
    }
}

/// The list of people, with each one's actions for an administrator.
#[component]
fn PeopleTable(
    /// Everyone, by name.
    people: Vec<Person>,
    /// Whether the viewer may change people.
    administers: bool,
    /// Called with a reset's one-time password.
    on_password: impl Fn(OneTimePassword) + Copy + Send + Sync + 'static,
    /// Reloads the list after a change.
    reload: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let state = app_state();
    let t = move || texts(state.lang.get());
    let me = state.session.get_untracked().map(|s| s.user.id);
    let total = people.len();
    let when = |at: Option<chrono::DateTime<chrono::Utc>>| {
        at.map_or_else(
            || "—".to_string(),
            |at| minute_text(at.with_timezone(&china()).naive_local()),
        )
    };
    let rows = people
        .into_iter()
        .map(|p| {
            let mine = me == Some(p.id);
            let (role, active) = (p.role, p.active);
            let waiting = p.must_change_password && p.active;
            let inactive = !p.active;
            let (login, synced) = (when(p.last_login), when(p.last_sync));
            let actions = administers.then(|| {
                let person = p.clone();
                view! {
                    <td class="person-actions-cell"><PersonActions person=person mine=mine on_password=on_password reload=reload/></td>
                }
            });
            view! {
                <tr data-testid="person-row" data-username=p.username.clone() class:inactive=inactive>
                    <td><strong>{p.name.clone()}</strong>{mine.then(|| view! { <small>{move || t().you}</small> })}</td>
                    <td><code>{p.username.clone()}</code></td>
                    <td class="role">{move || t().role_name(role)}</td>
                    <td>{p.team.clone()}</td>
                    <td class="person-status">
                        {move || if active { t().active } else { t().inactive }}
                        {move || waiting.then(|| view! { <br/><small>{t().must_change}</small> })}
                    </td>
                    <td><small>{login}</small></td>
                    <td><small>{synced}</small></td>
                    {actions}
                </tr>
            }
        })
        .collect_view();
    view! {
        <p class="count" id="people-count">{move || (t().count)(total)}</p>
        <div class="table-scroll">
            <table class="card" id="people">
                <thead><tr>
                    <th>{move || t().name}</th><th>{move || t().username}</th><th>{move || t().role}</th>
                    <th>{move || t().team}</th><th>{move || t().status}</th>
                    <th>{move || t().last_login}</th><th>{move || t().last_sync}</th>
                    {administers.then(|| view! { <th>{move || t().actions}</th> })}
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

/// One person's actions: reset, deactivate or reactivate (each confirmed first), and the
/// role and team editor.
#[component]
fn PersonActions(
    /// The person.
    person: Person,
    /// Whether it is the viewer (the server refuses their own reset, deactivation, demotion).
    mine: bool,
    /// Called with a reset's one-time password.
    on_password: impl Fn(OneTimePassword) + Copy + Send + Sync + 'static,
    /// Reloads the list after a change.
    reload: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let state = app_state();
    let t = move || texts(state.lang.get());
    let id: UserId = person.id;
    let name = StoredValue::new(person.name.clone());
    let active = person.active;
    let pending = RwSignal::new(None::<Pending>);
    let editing = RwSignal::new(false);
    let role = RwSignal::new(person.role);
    let team = RwSignal::new(person.team.clone());
    let error = RwSignal::new(None::<(Field, String)>);
    let busy = RwSignal::new(false);
    let fail = move |e: SyncError| {
        let lang = state.lang.get_untracked();
        after_failure(state, &e);
        error.set(Some(refusal(texts(lang), lang, &e)));
    };
    let run = move |what: Pending| {
        let Some(session) = state.session.get_untracked() else {
            return;
        };
        busy.set(true);
        spawn_local(async move {
            let result = match what {
                Pending::Reset => sync::people::reset_password(&session, id).await.map(Some),
                Pending::Deactivate | Pending::Reactivate => {
                    let change = PersonChange {
                        active: Some(what == Pending::Reactivate),
                        ..PersonChange::default()
                    };
                    sync::people::change(&session, id, &change)
                        .await
                        .map(|_| None)
                }
            };
            busy.set(false);
            pending.set(None);
            match result {
                Ok(Some(otp)) => on_password(otp),
                Ok(None) => reload(),
                Err(e) => fail(e),
            }
        });
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let change = PersonChange {
            role: Some(role.get_untracked()),
            team: Some(team.get_untracked()),
            active: None,
        };
        let change = match change.checked() {
            Ok(c) => c,
            Err(p) => {
                error.set(Some(problem(texts(state.lang.get_untracked()), p)));
                return;
            }
        };
        let Some(session) = state.session.get_untracked() else {
            return;
        };
        busy.set(true);
        spawn_local(async move {
            let result = sync::people::change(&session, id, &change).await;
            busy.set(false);
            match result {
                Ok(_) => {
                    editing.set(false);
                    reload();
                }
                Err(e) => fail(e),
            }
        });
    };
    view! {
        <div class="person-actions">
            {move || match pending.get() {
                Some(what) => {
                    let n = name.get_value();
                    let question = match what {
                        Pending::Reset => (t().confirm_reset)(&n),
                        Pending::Deactivate => (t().confirm_deactivate)(&n),
                        Pending::Reactivate => (t().confirm_reactivate)(&n),
                    };
                    view! {
                        <div class="confirm" role="alertdialog">
                            <p>{question}</p>
                            <button class="primary confirm-yes" disabled=move || busy.get() on:click=move |_| run(what)>{t().confirm}</button>
                            <button class="secondary confirm-no" on:click=move |_| pending.set(None)>{t().cancel}</button>
                        </div>
                    }.into_any()
                }
                None if editing.get() => view! {
                    <form class="inline-form edit-person" on:submit=save>
                        <select class="edit-role" aria-label=t().role disabled=mine on:change=move |ev| {
                            if let Some(r) = Role::from_code(&event_target_value(&ev)) { role.set(r) }
                        }>{role_options(t(), role.get_untracked())}</select>
                        <label class:invalid=move || error.get().is_some_and(|(f, _)| f == Field::Team)>
                            <input class="edit-team" type="text" placeholder=t().team aria-label=t().team
                                prop:value=move || team.get() on:input=move |ev| team.set(event_target_value(&ev))/>
                        </label>
                        <button class="primary" type="submit" disabled=move || busy.get()>{t().save}</button>
                        <button class="secondary" type="button" on:click=move |_| { editing.set(false); error.set(None); }>{t().cancel}</button>
                    </form>
                }.into_any(),
                None => view! {
                    <button class="secondary edit" on:click=move |_| { error.set(None); editing.set(true); }>{t().change}</button>
                    {(!mine).then(|| view! {
                        <button class="secondary reset" on:click=move |_| { error.set(None); pending.set(Some(Pending::Reset)); }>{t().reset_password}</button>
                        {if active {
                            view! { <button class="secondary danger deactivate" on:click=move |_| { error.set(None); pending.set(Some(Pending::Deactivate)); }>{t().deactivate}</button> }.into_any()
                        } else {
                            view! { <button class="secondary reactivate" on:click=move |_| { error.set(None); pending.set(Some(Pending::Reactivate)); }>{t().reactivate}</button> }.into_any()
                        }}
                    })}
                }.into_any(),
            }}
            {move || error.get().map(|(_, m)| view! { <small class="field-error person-error" role="alert">{m}</small> })}
        </div>
    }
}
