//! The journal's schema, as migrations from the first version on. Append only: a released
//! migration is never edited, only followed by a new one.

use rusqlite_migration::{Migrations, M};

pub fn migrations() -> Migrations<'static> {
    Migrations::new(vec![
        M::up(
        r#"
        CREATE TABLE launches (
            id          INTEGER PRIMARY KEY,
            started_at  TEXT NOT NULL,
            face        TEXT NOT NULL,
            version     TEXT NOT NULL,
            pid         INTEGER NOT NULL
        );
        CREATE TABLE calls (
            number      INTEGER PRIMARY KEY,
            id          TEXT NOT NULL UNIQUE,
            launch_id   INTEGER NOT NULL REFERENCES launches(id),
            provider    TEXT NOT NULL,
            direction   TEXT NOT NULL,
            destination TEXT NOT NULL,
            started_at  TEXT NOT NULL,
            state       TEXT NOT NULL,
            ended_at    TEXT,
            ended_by    TEXT,
            failure     TEXT CHECK (failure IS NULL OR json_valid(failure)),
            timings     TEXT CHECK (timings IS NULL OR json_valid(timings))
        );
        CREATE TABLE events (
            id          INTEGER PRIMARY KEY,
            launch_id   INTEGER NOT NULL REFERENCES launches(id),
            call_id     TEXT REFERENCES calls(id),
            seq         INTEGER NOT NULL,
            t_ms        REAL NOT NULL,
            at          TEXT NOT NULL,
            source      TEXT NOT NULL CHECK (source IN ('ui', 'sdk', 'signalling', 'backend')),
            kind        TEXT NOT NULL CHECK (kind IN ('state', 'signal', 'media', 'stats', 'action',
                                                      'warning', 'error', 'probe')),
            payload     TEXT NOT NULL CHECK (json_valid(payload))
        );
        CREATE UNIQUE INDEX events_by_call ON events(call_id, seq) WHERE call_id IS NOT NULL;
        CREATE INDEX events_by_launch ON events(launch_id, seq) WHERE call_id IS NULL;
        "#,
        ),
        // 2: the account a call was placed with (none for the Echo line).
        M::up("ALTER TABLE calls ADD COLUMN account TEXT;"),
        // 3: the diagnosis's one-line summary, kept for the history list.
        M::up("ALTER TABLE calls ADD COLUMN reason TEXT;"),
        // 4: a line's app-level events (registrations) by account, for `callscope lines` and the
        // diagnosis of a call on that line.
        M::up("CREATE INDEX events_by_line ON events(json_extract(payload, '$.account'), at) WHERE call_id IS NULL;"),
    ])
}

#[cfg(test)]
mod tests {
    #[test]
    fn migrations_are_valid() {
        super::migrations().validate().unwrap();
    }
}
