//! The `[schedule]` and `[http]` sections: when the daemon runs, and where it serves health checks, metrics and the dashboard (with the bearer token that guards it).

use std::net::SocketAddr;
use std::ops::Range;
use std::time::Duration;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use croner::Cron;
use croner::parser::{CronParser, Seconds};
use toml::Spanned;

use crate::diag::{Table, TomlDoc};

/// A cron expression (crontab(5): five fields, Sunday 0 or 7; seconds optional) in a time zone.
#[derive(Debug, Clone)]
pub struct Schedule {
    pub expression: String,
    cron: Cron,
    pub timezone: Tz,
}

impl Schedule {
    /// Parses `expression`; the error says what is wrong with it.
    pub fn parse(expression: &str, timezone: Tz) -> Result<Schedule, String> {
        let cron = CronParser::builder()
            .seconds(Seconds::Optional)
            .build()
            .parse(expression)
            .map_err(|e| format!("invalid cron expression `{expression}`: {e}"))?;
        Ok(Schedule { expression: expression.to_string(), cron, timezone })
    }

    /// The first run strictly after `after`.
    pub fn next_after(&self, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let local = after.with_timezone(&self.timezone);
        self.cron.find_next_occurrence(&local, false).ok().map(|t| t.with_timezone(&Utc))
    }
}

impl PartialEq for Schedule {
    fn eq(&self, other: &Self) -> bool {
        self.expression == other.expression && self.timezone == other.timezone
    }
}

#[derive(Debug, Clone)]
pub struct ScheduleSettings {
    /// `None`: the daemon has nothing to run on its own (only outbox passes).
    pub default: Option<Schedule>,
    pub timezone: Tz,
    /// Runs start after a random delay up to this, so restarts do not hit every site at once.
    pub jitter: Duration,
    /// How long requests in flight may finish after SIGTERM.
    pub shutdown_grace: Duration,
}

impl Default for ScheduleSettings {
    fn default() -> Self {
        ScheduleSettings {
            default: None,
            timezone: chrono_tz::Europe::Paris,
            jitter: Duration::from_secs(300),
            shutdown_grace: Duration::from_secs(30),
        }
    }
}

/// Every key of the `[schedule]` section.
pub const SCHEDULE_KEYS: &[&str] = &["cron", "timezone", "jitter_secs", "shutdown_grace_secs"];

pub(super) fn check_schedule<'a>(doc: &mut TomlDoc<'a>, mut t: Table<'a>) -> ScheduleSettings {
    let mut s = ScheduleSettings::default();
    if let Some(tz) = doc.take::<Spanned<String>>(&mut t, "timezone") {
        match tz.get_ref().parse::<Tz>() {
            Ok(z) => s.timezone = z,
            Err(_) => {
                doc.error(tz.span(), format!("unknown time zone `{}` (IANA names such as Europe/Paris)", tz.get_ref()))
            }
        }
    }
    if let Some(cron) = doc.take::<Spanned<String>>(&mut t, "cron") {
        match Schedule::parse(cron.get_ref(), s.timezone) {
            Ok(c) => s.default = Some(c),
            Err(e) => doc.error(cron.span(), e),
        }
    }
    if let Some(j) = doc.take::<f64>(&mut t, "jitter_secs") {
        s.jitter = Duration::from_secs_f64(j.max(0.0));
    }
    if let Some(g) = doc.take::<Spanned<f64>>(&mut t, "shutdown_grace_secs")
        && super::positive(doc, &g, "shutdown_grace_secs")
    {
        s.shutdown_grace = Duration::from_secs_f64(g.into_inner());
    }
    doc.reject_unknown(t, SCHEDULE_KEYS);
    s
}

/// A vendor's own schedule, parsed in the `[schedule]` time zone.
pub(super) fn check_vendor_schedule(doc: &mut TomlDoc<'_>, expr: &Spanned<String>, tz: Tz) -> Option<Schedule> {
    match Schedule::parse(expr.get_ref(), tz) {
        Ok(s) => Some(s),
        Err(e) => {
            doc.error(expr.span(), e);
            None
        }
    }
}

/// The `[http]` section: where the daemon serves health, metrics and the dashboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpSettings {
    pub listen: SocketAddr,
    /// The environment variable holding the dashboard's bearer token; when set, the findings
    /// pages require it. Required when `listen` is beyond loopback.
    pub token_env: Option<String>,
}

impl HttpSettings {
    /// Whether only this machine can reach the listener (127.0.0.0/8, ::1).
    pub fn is_loopback(&self) -> bool {
        self.listen.ip().to_canonical().is_loopback()
    }
}

/// Every key of the `[http]` section.
pub const HTTP_KEYS: &[&str] = &["listen", "token_env"];

pub(super) fn check_http<'a>(doc: &mut TomlDoc<'a>, mut t: Table<'a>, span: Range<usize>) -> Option<HttpSettings> {
    let listen: Option<Spanned<String>> = doc.require(&mut t, span, "listen");
    let token_env: Option<Spanned<String>> = doc.take(&mut t, "token_env");
    doc.reject_unknown(t, HTTP_KEYS);
    let mut valid = true;
    if let Some(name) = &token_env
        && !is_env_name(name.get_ref())
    {
        doc.error(name.span(), "token_env must name an environment variable (letters, digits, `_`)");
        valid = false;
    }
    let listen = listen?;
    let Ok(addr) = listen.get_ref().parse::<SocketAddr>() else {
        doc.error(listen.span(), format!("`{}` is not an address:port such as 127.0.0.1:9184", listen.get_ref()));
        return None;
    };
    let http = HttpSettings { listen: addr, token_env: token_env.map(Spanned::into_inner) };
    if !http.is_loopback() && http.token_env.is_none() {
        doc.error(
            listen.span(),
            format!(
                "`{addr}` is reachable beyond this machine and the dashboard there shows every finding: \
                 set `token_env` to the name of an environment variable holding a bearer token, \
                 or listen on loopback (127.0.0.1)"
            ),
        );
        return None;
    }
    valid.then_some(http)
}

/// A POSIX-style environment variable name.
fn is_env_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn weekday_ranges_follow_crontab_not_the_cron_crate() {
        // "1-5" is Monday to Friday in crontab(5); Saturday 2026-11-28 → Monday 2026-11-30 07:00 Paris.
        let s = Schedule::parse("0 7 * * 1-5", chrono_tz::Europe::Paris).unwrap();
        assert_eq!(s.next_after(utc("2026-11-28T10:00:00Z")), Some(utc("2026-11-30T06:00:00Z")));
        // Sunday is 0 or 7.
        let sunday = Schedule::parse("0 9 * * 0", chrono_tz::UTC).unwrap();
        let seven = Schedule::parse("0 9 * * 7", chrono_tz::UTC).unwrap();
        assert_eq!(sunday.next_after(utc("2026-11-28T10:00:00Z")), Some(utc("2026-11-29T09:00:00Z")));
        assert_eq!(seven.next_after(utc("2026-11-28T10:00:00Z")), Some(utc("2026-11-29T09:00:00Z")));
    }

    #[test]
    fn the_time_zone_moves_with_daylight_saving() {
        let s = Schedule::parse("0 7 * * *", chrono_tz::Europe::Paris).unwrap();
        // Summer: UTC+2; winter: UTC+1.
        assert_eq!(s.next_after(utc("2026-07-01T00:00:00Z")), Some(utc("2026-07-01T05:00:00Z")));
        assert_eq!(s.next_after(utc("2026-12-01T00:00:00Z")), Some(utc("2026-12-01T06:00:00Z")));
        let _ = chrono_tz::UTC.with_ymd_and_hms(2026, 1, 1, 0, 0, 0);
    }

    #[test]
    fn seconds_are_optional_and_garbage_is_explained() {
        let every_5s = Schedule::parse("*/5 * * * * *", chrono_tz::UTC).unwrap();
        assert_eq!(every_5s.next_after(utc("2026-11-28T10:00:01Z")), Some(utc("2026-11-28T10:00:05Z")));
        let err = Schedule::parse("0 25 * * *", chrono_tz::UTC).unwrap_err();
        assert!(err.contains("invalid cron expression `0 25 * * *`"), "{err}");
    }

    fn http_of(section: &str) -> Result<Option<HttpSettings>, String> {
        let text = format!("registry = \"r.toml\"\npatterns = \"p\"\n\n[http]\n{section}\n");
        super::super::parse_config(std::path::Path::new("/etc/cw.toml"), &text)
            .map(|c| c.http)
            .map_err(|e| e.diagnostics().to_string())
    }

    #[test]
    fn loopback_needs_no_token_and_the_token_is_kept() {
        let h = http_of("listen = \"127.0.0.1:9184\"").unwrap().unwrap();
        assert!(h.is_loopback() && h.token_env.is_none());
        let h = http_of("listen = \"[::1]:9184\"\ntoken_env = \"CW_TOKEN\"").unwrap().unwrap();
        assert!(h.is_loopback());
        assert_eq!(h.token_env.as_deref(), Some("CW_TOKEN"));
        let h = http_of("listen = \"127.8.9.10:1\"").unwrap().unwrap();
        assert!(h.is_loopback(), "all of 127.0.0.0/8");
    }

    #[test]
    fn beyond_loopback_without_a_token_points_at_listen() {
        for addr in ["0.0.0.0:9184", "[::]:9184", "192.0.2.7:80", "[::ffff:10.0.0.1]:80"] {
            let err = http_of(&format!("listen = \"{addr}\"")).unwrap_err();
            assert!(err.starts_with("/etc/cw.toml:5:10: "), "{err}");
            assert!(err.contains("set `token_env`"), "{err}");
        }
        let mapped = http_of("listen = \"[::ffff:127.0.0.1]:80\"").unwrap().unwrap();
        assert!(mapped.is_loopback(), "an IPv4-mapped loopback address is loopback");
        let h = http_of("listen = \"0.0.0.0:9184\"\ntoken_env = \"CW_TOKEN\"").unwrap().unwrap();
        assert!(!h.is_loopback());
    }

    #[test]
    fn a_bad_token_env_or_key_is_reported_with_its_line() {
        let err = http_of("listen = \"127.0.0.1:1\"\ntoken_env = \"CW TOKEN\"").unwrap_err();
        assert!(err.starts_with("/etc/cw.toml:6:13: token_env must name an environment variable"), "{err}");
        let err = http_of("listen = \"127.0.0.1:1\"\ntoken = \"secret\"").unwrap_err();
        assert!(err.contains("unknown key `token`, expected one of `listen`, `token_env`"), "{err}");
    }
}
