//! Versioned schema. Each entry moves the database from `user_version = i` to
//! `i + 1` inside one transaction; entries are never edited once released,
//! only appended.

pub const MIGRATIONS: &[&str] = &[
    // 1: source files, activities, samples.
    r#"
    CREATE TABLE files (
        id              INTEGER PRIMARY KEY,
        path            TEXT NOT NULL UNIQUE,
        size            INTEGER NOT NULL,
        mtime_ns        INTEGER NOT NULL,
        content_hash    TEXT NOT NULL,
        format          TEXT,
        outcome         TEXT NOT NULL,
        error           TEXT,
        first_seen_ms   INTEGER NOT NULL,
        ingested_ms     INTEGER NOT NULL
    );
    CREATE INDEX files_by_hash ON files(content_hash);

    CREATE TABLE activities (
        id              INTEGER PRIMARY KEY,
        file_id         INTEGER NOT NULL REFERENCES files(id),
        session_index   INTEGER NOT NULL,
        format          TEXT NOT NULL,
        sport           TEXT NOT NULL,
        sub_sport       TEXT NOT NULL,
        sport_label     TEXT NOT NULL,
        start_ms        INTEGER NOT NULL,
        local_offset_s  INTEGER,
        elapsed_s       REAL NOT NULL,
        distance_m      REAL NOT NULL,
        name            TEXT,
        device          TEXT NOT NULL,
        partial         INTEGER NOT NULL,
        richness        INTEGER NOT NULL,
        sample_count    INTEGER NOT NULL,
        has_gps         INTEGER NOT NULL,
        has_cadence     INTEGER NOT NULL,
        has_altitude    INTEGER NOT NULL,
        has_heart_rate  INTEGER NOT NULL,
        summary_json    TEXT NOT NULL,
        post_run_rpe    REAL,
        post_run_feel   REAL,
        laps_json       TEXT NOT NULL,
        pauses_json     TEXT NOT NULL,
        UNIQUE (file_id, session_index)
    );
    CREATE INDEX activities_by_start ON activities(start_ms);

    CREATE TABLE samples (
        activity_id     INTEGER PRIMARY KEY REFERENCES activities(id) ON DELETE CASCADE,
        encoding        INTEGER NOT NULL,
        count           INTEGER NOT NULL,
        data            BLOB NOT NULL
    );
    "#,
    // 2: run metrics (one row per activity) and the runner's surface tags.
    r#"
    CREATE TABLE metrics (
        activity_id     INTEGER PRIMARY KEY REFERENCES activities(id) ON DELETE CASCADE,
        version         INTEGER NOT NULL,
        cross_training  INTEGER NOT NULL,
        distance_m      REAL NOT NULL,
        moving_s        REAL NOT NULL,
        climb_m         REAL,
        climb_m_per_km  REAL,
        cadence_spm     REAL,
        surface         TEXT NOT NULL,
        part_of_day     TEXT NOT NULL,
        json            TEXT NOT NULL
    );
    CREATE TABLE surface_tags (
        activity_id     INTEGER PRIMARY KEY REFERENCES activities(id) ON DELETE CASCADE,
        surface         TEXT NOT NULL,
        tagged_ms       INTEGER NOT NULL
    );
    "#,
    // 3: shoes, alerts (one per cause), which runs the rules have seen.
    r#"
    CREATE TABLE gear (
        id              INTEGER PRIMARY KEY,
        name            TEXT NOT NULL UNIQUE,
        drop_mm         REAL NOT NULL,
        added_ms        INTEGER NOT NULL
    );
    CREATE TABLE gear_use (
        id              INTEGER PRIMARY KEY,
        gear_id         INTEGER NOT NULL REFERENCES gear(id),
        from_ms         INTEGER NOT NULL
    );
    CREATE INDEX gear_use_by_time ON gear_use(from_ms);
    CREATE TABLE alerts (
        id              INTEGER PRIMARY KEY,
        kind            TEXT NOT NULL,
        severity        TEXT NOT NULL,
        activity_id     INTEGER REFERENCES activities(id) ON DELETE SET NULL,
        window_start_ms INTEGER NOT NULL,
        window_end_ms   INTEGER NOT NULL,
        measured        REAL NOT NULL,
        baseline        REAL NOT NULL,
        threshold       REAL NOT NULL,
        unit            TEXT NOT NULL,
        what_changed    TEXT NOT NULL,
        what_to_do      TEXT NOT NULL,
        source          TEXT NOT NULL,
        cause           TEXT NOT NULL,
        created_ms      INTEGER NOT NULL,
        delivery        TEXT NOT NULL,
        acknowledged_ms INTEGER,
        UNIQUE (kind, cause)
    );
    CREATE INDEX alerts_by_window ON alerts(window_start_ms);
    CREATE TABLE rule_evaluations (
        activity_id     INTEGER PRIMARY KEY REFERENCES activities(id) ON DELETE CASCADE,
        evaluated_ms    INTEGER NOT NULL
    );
    "#,
    // 4: the runner's pain log (soft-deleted, never lost) and VISA-A scores.
    r#"
    CREATE TABLE pain (
        id              INTEGER PRIMARY KEY,
        at_ms           INTEGER NOT NULL,
        score           REAL NOT NULL,
        kind            TEXT NOT NULL,
        stiffness_min   REAL,
        side            TEXT,
        note            TEXT,
        created_ms      INTEGER NOT NULL,
        deleted_ms      INTEGER
    );
    CREATE INDEX pain_by_time ON pain(at_ms);
    CREATE TABLE visa_a (
        id              INTEGER PRIMARY KEY,
        at_ms           INTEGER NOT NULL,
        answers_json    TEXT NOT NULL,
        score           REAL NOT NULL
    );
    "#,
    // 5: the outbox: one row per (alert, sink), written in the same
    // transaction as the alert, marked when delivered.
    r#"
    CREATE TABLE outbox (
        id              INTEGER PRIMARY KEY,
        alert_id        INTEGER NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
        sink            TEXT NOT NULL,
        attempts        INTEGER NOT NULL DEFAULT 0,
        next_attempt_ms INTEGER NOT NULL,
        delivered_ms    INTEGER,
        last_error      TEXT,
        UNIQUE (alert_id, sink)
    );
    CREATE INDEX outbox_due ON outbox(delivered_ms, next_attempt_ms);
    "#,
    // 6: dashboard logins. Only a hash of each session token is kept, so a
    // copy of the database logs nobody in.
    r#"
    CREATE TABLE web_sessions (
        token_hash      TEXT PRIMARY KEY,
        created_ms      INTEGER NOT NULL,
        expires_ms      INTEGER NOT NULL
    );
    "#,
    // 7: the daily digest (RULES.md H). `warn` alerts are bundled into one
    // message a day per sink: a digest row, and its members are the outbox
    // rows whose `digest_id` names it. The column gives each row at most one
    // digest, and bundling (insert + claim) is one transaction, so a crash
    // can neither lose a member nor put it in two digests. While bundled,
    // a member's attempts, next try and delivery mirror its digest's.
    // `info` alerts are no longer pushed: their undelivered rows go, and
    // those never delivered anywhere are marked "shown".
    r#"
    CREATE TABLE digests (
        id              INTEGER PRIMARY KEY,
        sink            TEXT NOT NULL,
        bundled_ms      INTEGER NOT NULL,
        attempts        INTEGER NOT NULL DEFAULT 0,
        next_attempt_ms INTEGER NOT NULL,
        delivered_ms    INTEGER,
        last_error      TEXT
    );
    CREATE INDEX digests_due ON digests(delivered_ms, next_attempt_ms);
    ALTER TABLE outbox ADD COLUMN digest_id INTEGER REFERENCES digests(id);
    CREATE INDEX outbox_by_digest ON outbox(digest_id);
    DELETE FROM outbox WHERE delivered_ms IS NULL
        AND alert_id IN (SELECT id FROM alerts WHERE severity = 'info');
    UPDATE alerts SET delivery = 'shown'
     WHERE severity = 'info' AND delivery = 'queued'
       AND id NOT IN (SELECT alert_id FROM outbox);
    "#,
    // 8: where each activity's sport came from (RULES.md F): the file, an
    // export's list, evidence, an assumption, or the runner, with the
    // evidence kept like the surface's. An `unconfirmed` activity stays out
    // of the baseline until answered; the answer is a tag that outlives a
    // re-import. A file whose run is stored from a richer file names it.
    r#"
    ALTER TABLE activities ADD COLUMN sport_status TEXT NOT NULL DEFAULT 'file';
    ALTER TABLE activities ADD COLUMN sport_evidence TEXT NOT NULL DEFAULT '[]';
    CREATE TABLE sport_tags (
        activity_id     INTEGER PRIMARY KEY REFERENCES activities(id) ON DELETE CASCADE,
        sport           TEXT NOT NULL,
        tagged_ms       INTEGER NOT NULL
    );
    ALTER TABLE files ADD COLUMN duplicate_of INTEGER REFERENCES activities(id) ON DELETE SET NULL;
    "#,
    // 9: times that cannot be true (RULES.md F, `clock`): the reason an
    // activity's start is unknown (NULL: known), and the start the runner
    // gave, which outlives a re-import like a sport tag. Activities stored
    // before this version are judged by what the store holds (the stray
    // points of a broken clock need the file: a re-import).
    r#"
    ALTER TABLE activities ADD COLUMN time_unknown TEXT;
    CREATE TABLE start_tags (
        activity_id     INTEGER PRIMARY KEY REFERENCES activities(id) ON DELETE CASCADE,
        start_ms        INTEGER NOT NULL,
        local_offset_s  INTEGER,
        tagged_ms       INTEGER NOT NULL
    );
    UPDATE activities SET time_unknown =
        'the track is dated ' || strftime('%Y-%m-%d', start_ms / 1000, 'unixepoch')
        || ', before 1990: the device''s clock was not set'
     WHERE start_ms < 631152000000;
    UPDATE activities SET time_unknown =
        'the track lasts ' || CAST(elapsed_s / 86400 AS INTEGER)
        || ' days: no single activity lasts that long'
     WHERE time_unknown IS NULL AND elapsed_s > 604800;
    UPDATE activities SET time_unknown =
        'the track is dated ' || COALESCE(strftime('%Y-%m-%d', start_ms / 1000, 'unixepoch'), 'after 9999')
        || ', after today: the device''s clock was wrong'
     WHERE time_unknown IS NULL
       AND start_ms > CAST(strftime('%s', 'now') AS INTEGER) * 1000 + 86400000;
    "#,
    // 10: pain entries the pain rules have still to judge (NULL), so that
    // an entry about any date is judged against the runs and mornings
    // around it — a backfilled diary like today's — and judged again when
    // a run or an entry near it arrives. Entries stored before are judged
    // once (alerts already raised are never raised again).
    r#"
    ALTER TABLE pain ADD COLUMN judged_ms INTEGER;
    CREATE INDEX pain_to_judge ON pain(at_ms) WHERE judged_ms IS NULL;
    "#,
    // 11: the account a dashboard session belongs to, and the password it
    // was opened with (a tag of its hash). One runner's store keeps ''
    // (the one account); a household's logins, in its own household.db,
    // name the runner or coach. A session whose tag is not the account's
    // password now is over: a new password ends the old logins (those
    // stored before this version log in once more).
    r#"
    ALTER TABLE web_sessions ADD COLUMN account TEXT NOT NULL DEFAULT '';
    ALTER TABLE web_sessions ADD COLUMN password_tag TEXT NOT NULL DEFAULT '';
    "#,
    // 12: the morning check-in (RULES.md I). One row per morning asked
    // (its local date, so never twice), one delivery row per sink, written
    // with it in one transaction: a crash between deciding and sending
    // sends once on restart. The answer is the pain entry that names the
    // morning (answering again replaces it).
    r#"
    CREATE TABLE checkins (
        date            TEXT PRIMARY KEY,
        decided_ms      INTEGER NOT NULL
    );
    CREATE TABLE checkin_outbox (
        id              INTEGER PRIMARY KEY,
        date            TEXT NOT NULL REFERENCES checkins(date),
        sink            TEXT NOT NULL,
        attempts        INTEGER NOT NULL DEFAULT 0,
        next_attempt_ms INTEGER NOT NULL,
        delivered_ms    INTEGER,
        last_error      TEXT,
        UNIQUE (date, sink)
    );
    CREATE INDEX checkin_outbox_due ON checkin_outbox(delivered_ms, next_attempt_ms);
    ALTER TABLE pain ADD COLUMN checkin_date TEXT;
    CREATE UNIQUE INDEX pain_by_checkin ON pain(checkin_date)
        WHERE checkin_date IS NOT NULL AND deleted_ms IS NULL;
    "#,
    // 13: the sync folders the daemon is waiting for (missing or
    // unreadable) and why, so `status` can say so.
    r#"
    CREATE TABLE folder_problems (
        path            TEXT PRIMARY KEY,
        kind            TEXT NOT NULL,
        reason          TEXT,
        since_ms        INTEGER NOT NULL,
        checked_ms      INTEGER NOT NULL
    );
    "#,
];
