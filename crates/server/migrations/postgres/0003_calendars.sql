-- The working-day calendar's years an administrator entered at the desk (the holidays and 调休
-- make-up days of a newly published year, or a year corrected). Each row holds all the years
-- the organisation entered so far (`calendar`, a CalendarSpec as JSON) and the year that row
-- changed; the organisation follows the row `organisations.calendar` names: the shipped China
-- calendar with those years in place of its own. With none, the shipped calendar. A row is
-- never changed: the rows are the calendar's versions, each with an audit entry.
CREATE TABLE calendars (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    year BIGINT NOT NULL,
    calendar TEXT NOT NULL,
    entered_by TEXT REFERENCES users (id),
    entered_at TEXT NOT NULL
);
CREATE INDEX calendars_org ON calendars (org_id);
ALTER TABLE organisations ADD COLUMN calendar TEXT REFERENCES calendars (id);
