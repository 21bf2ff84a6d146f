//! The configuration file (`config/claimwatch.toml`): loading, checking every key, and loading the registry and patterns it names — all problems reported at once.

use std::ops::Range;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::Deserialize;
use toml::Spanned;

use crate::diag::{Day, Diagnostic, Diagnostics, TomlDoc};
use crate::patterns::{self, PatternSet};
use crate::registry::{ProviderRef, Registry, valid_siren};

/// One watched vendor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vendor {
    pub id: String,
    pub name: String,
    /// The provider as the registry names it; `None` for a vendor that holds nothing.
    pub provider: Option<String>,
    pub siren: Option<String>,
    pub start_urls: Vec<url::Url>,
    /// Host names; a leading `*.` admits subdomains.
    pub allowed_hosts: Vec<String>,
    /// When someone last checked that the site and URLs are right.
    pub verified: Option<NaiveDate>,
    pub note: Option<String>,
}

impl Vendor {
    pub fn provider_ref(&self) -> Option<ProviderRef> {
        self.provider.as_ref().map(|name| ProviderRef { name: name.clone(), siren: self.siren.clone() })
    }

    /// Whether `host` is within this vendor's site.
    pub fn allows_host(&self, host: &str) -> bool {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        self.allowed_hosts.iter().any(|pattern| match pattern.strip_prefix("*.") {
            Some(parent) => host == parent || host.strip_suffix(parent).is_some_and(|p| p.ends_with('.')),
            None => host == *pattern,
        })
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    pub path: PathBuf,
    pub registry_path: PathBuf,
    pub patterns_dir: PathBuf,
    pub vendors: Vec<Vendor>,
}

impl Config {
    pub fn vendor(&self, id: &str) -> Option<&Vendor> {
        self.vendors.iter().find(|v| v.id == id)
    }

    /// The vendor whose site holds `url`, if exactly one does.
    pub fn vendor_for_url(&self, url: &url::Url) -> Option<&Vendor> {
        let host = url.host_str()?;
        let mut found = self.vendors.iter().filter(|v| v.allows_host(host));
        let first = found.next()?;
        found.next().is_none().then_some(first)
    }
}

/// A config with the registry and patterns it names, all checked.
#[derive(Debug, Clone)]
pub struct Setup {
    pub config: Config,
    pub registry: Registry,
    pub patterns: PatternSet,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{0}")]
    Invalid(Diagnostics),
}

impl ConfigError {
    pub fn diagnostics(&self) -> &Diagnostics {
        match self {
            ConfigError::Invalid(d) => d,
        }
    }
}

const TOP_KEYS: &[&str] = &["registry", "patterns", "vendor"];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VendorSpec {
    id: Spanned<String>,
    name: String,
    provider: Option<Spanned<String>>,
    siren: Option<Spanned<String>>,
    #[serde(default)]
    start_urls: Vec<Spanned<String>>,
    #[serde(default)]
    allowed_hosts: Vec<Spanned<String>>,
    verified: Option<Day>,
    note: Option<String>,
}

/// Loads the config, then the registry and patterns it names, and checks them against each
/// other. Every problem of every file is reported, each with file and line.
pub fn load(path: &Path) -> Result<Setup, ConfigError> {
    let (config, provider_sites, mut diags) = match load_config(path) {
        Ok(loaded) => loaded,
        Err(d) => return Err(ConfigError::Invalid(d)),
    };
    let registry = config
        .registry_path
        .as_ref()
        .and_then(|p| Registry::load(p).map_err(|e| diags.extend(e.diagnostics().clone())).ok());
    let patterns = config
        .patterns_dir
        .as_ref()
        .and_then(|p| patterns::load_dir(p).map_err(|e| diags.extend(e.diagnostics().clone())).ok());
    if let Some(registry) = &registry {
        for (vendor, site) in config.vendors.iter().zip(provider_sites) {
            if let (Some(p), Some(mut d)) = (vendor.provider_ref(), site)
                && !registry.knows(&p)
            {
                d.message = format!(
                    "vendor `{}`: provider `{}` matches no entry of {} (by name, alias or SIREN); \
                     remove `provider` if the vendor holds nothing",
                    vendor.id,
                    p.name,
                    registry.path.display()
                );
                diags.push(d);
            }
        }
    }
    match (config.into_config(), registry, patterns) {
        (Some(config), Some(registry), Some(patterns)) if diags.is_empty() => Ok(Setup { config, registry, patterns }),
        _ => Err(ConfigError::Invalid(diags)),
    }
}

/// What could be read of a config file, even when parts of it are wrong.
struct PartialConfig {
    path: PathBuf,
    registry_path: Option<PathBuf>,
    patterns_dir: Option<PathBuf>,
    vendors: Vec<Vendor>,
}

impl PartialConfig {
    fn into_config(self) -> Option<Config> {
        Some(Config {
            path: self.path,
            registry_path: self.registry_path?,
            patterns_dir: self.patterns_dir?,
            vendors: self.vendors,
        })
    }
}

/// Reads the config file alone, keeping what is valid. Also returns, for each vendor, where
/// its `provider` was written (to point there if the registry does not know it). A file that
/// cannot be read or parsed at all is an error.
#[allow(clippy::type_complexity)]
fn load_config(path: &Path) -> Result<(PartialConfig, Vec<Option<Diagnostic>>, Diagnostics), Diagnostics> {
    let text =
        std::fs::read_to_string(path).map_err(|e| Diagnostic::whole_file(path, format!("cannot read config: {e}")))?;
    let mut doc = TomlDoc::new(path, &text);
    let Some(mut table) = doc.parse() else { return Err(doc.diagnostics) };
    let base = path.parent().unwrap_or(Path::new("."));
    let registry: Option<String> = doc.require(&mut table, 0..0, "registry");
    let patterns: Option<String> = doc.require(&mut table, 0..0, "patterns");
    let specs: Vec<(VendorSpec, Range<usize>)> = doc.take_array(&mut table, "vendor");
    doc.reject_unknown(table, TOP_KEYS);

    let mut vendors: Vec<Vendor> = Vec::new();
    let mut provider_sites = Vec::new();
    for (spec, _) in specs {
        let site = spec.provider.as_ref().map(|p| doc.diagnostic(p.span(), ""));
        if let Some(v) = check_vendor(&mut doc, spec, &vendors) {
            vendors.push(v);
            provider_sites.push(site);
        }
    }
    let config = PartialConfig {
        path: path.to_path_buf(),
        registry_path: registry.map(|r| base.join(r)),
        patterns_dir: patterns.map(|p| base.join(p)),
        vendors,
    };
    Ok((config, provider_sites, doc.diagnostics.sorted()))
}

fn check_vendor(doc: &mut TomlDoc<'_>, spec: VendorSpec, earlier: &[Vendor]) -> Option<Vendor> {
    let before = doc.diagnostics.len();
    let id = spec.id.get_ref();
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_') {
        doc.error(spec.id.span(), format!("vendor id `{id}` must be lower case letters, digits, `-` and `_`"));
    }
    if id == "auto" {
        doc.error(spec.id.span(), "vendor id `auto` is reserved (`scan --vendor auto` picks the vendor from the page)");
    }
    if earlier.iter().any(|v| v.id == *id) {
        doc.error(spec.id.span(), format!("vendor id `{id}` is used twice"));
    }
    if let Some(siren) = &spec.siren
        && !valid_siren(siren.get_ref())
    {
        doc.error(siren.span(), format!("`{}` is not a valid SIREN (9 digits, Luhn checksum)", siren.get_ref()));
    }
    let mut allowed_hosts = Vec::new();
    for h in &spec.allowed_hosts {
        let host = h.get_ref().trim().to_ascii_lowercase();
        let bare = host.strip_prefix("*.").unwrap_or(&host);
        let valid = !bare.is_empty()
            && bare.split('.').all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
        if valid {
            allowed_hosts.push(host);
        } else {
            doc.error(h.span(), format!("`{}` is not a host name (a leading `*.` admits subdomains)", h.get_ref()));
        }
    }
    let mut start_urls = Vec::new();
    for u in &spec.start_urls {
        match url::Url::parse(u.get_ref()) {
            Ok(url) if matches!(url.scheme(), "http" | "https") => {
                let host = url.host_str().unwrap_or("");
                let probe = Vendor {
                    id: String::new(),
                    name: String::new(),
                    provider: None,
                    siren: None,
                    start_urls: Vec::new(),
                    allowed_hosts: allowed_hosts.clone(),
                    verified: None,
                    note: None,
                };
                if !probe.allows_host(host) {
                    doc.error(u.span(), format!("start URL host `{host}` is not in `allowed_hosts`"));
                }
                start_urls.push(url);
            }
            Ok(url) => doc.error(u.span(), format!("start URL must be http or https, not `{}`", url.scheme())),
            Err(e) => doc.error(u.span(), format!("`{}` is not a URL: {e}", u.get_ref())),
        }
    }
    if doc.diagnostics.len() > before {
        return None;
    }
    Some(Vendor {
        id: spec.id.into_inner(),
        name: spec.name,
        provider: spec.provider.map(|p| p.into_inner()).filter(|p| !p.trim().is_empty()),
        siren: spec.siren.map(|s| s.into_inner()),
        start_urls,
        allowed_hosts,
        verified: spec.verified.map(|d| d.0),
        note: spec.note,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vendor(hosts: &[&str]) -> Vendor {
        Vendor {
            id: "v".into(),
            name: "V".into(),
            provider: None,
            siren: None,
            start_urls: vec![],
            allowed_hosts: hosts.iter().map(|s| s.to_string()).collect(),
            verified: None,
            note: None,
        }
    }

    #[test]
    fn star_dot_admits_subdomains_and_the_domain_itself_only() {
        let v = vendor(&["*.example.fr", "www.other.com"]);
        assert!(v.allows_host("example.fr"));
        assert!(v.allows_host("www.example.fr"));
        assert!(v.allows_host("A.B.Example.FR."));
        assert!(!v.allows_host("badexample.fr"));
        assert!(v.allows_host("www.other.com"));
        assert!(!v.allows_host("other.com"));
    }
}
