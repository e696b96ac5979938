//! Proxies from the environment, as curl, pip and uv read them.
//!
//! - `https_proxy` / `HTTPS_PROXY` for https URLs, `http_proxy` /
//!   `HTTP_PROXY` for http URLs, `all_proxy` / `ALL_PROXY` for either when
//!   the scheme's own is unset (lowercase first, as curl). A value without a
//!   scheme is `http://`; `socks5://`, `socks5h://` and `socks4://` work too.
//! - `no_proxy` / `NO_PROXY`: a comma- (or space-) separated list of hosts
//!   reached directly: `*` for all; a domain (`example.org`, `.example.org`
//!   or `*.example.org`) for itself and every subdomain; an IP address; a
//!   CIDR range (`10.0.0.0/8`); an optional `:port` restricts the entry to
//!   that port.
//! - This machine (`localhost`, 127.0.0.0/8, `::1`) is always reached
//!   directly: a proxy elsewhere cannot reach a local index anyway.

use std::fmt;
use std::net::IpAddr;

use url::Url;

/// The proxy settings: one proxy per scheme and the hosts that bypass them.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Proxies {
    http: Option<ProxyUrl>,
    https: Option<ProxyUrl>,
    no_proxy: Vec<NoProxyEntry>,
}

/// A proxy URL, and the variable it came from. `Debug` and `Display`
/// never show its password.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct ProxyUrl {
    pub(crate) origin: &'static str,
    pub(crate) url: String,
}

impl ProxyUrl {
    /// The URL with any password replaced by `***`.
    fn redacted(&self) -> String {
        match Url::parse(&self.url) {
            Ok(mut url) if url.password().is_some() => {
                let _ = url.set_password(Some("***"));
                url.to_string()
            }
            Ok(url) => url.to_string(),
            Err(_) => "<unparsable>".into(),
        }
    }
}

impl fmt::Debug for ProxyUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}", self.origin, self.redacted())
    }
}

impl fmt::Debug for Proxies {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Proxies")
            .field("http", &self.http)
            .field("https", &self.https)
            .field("no_proxy", &self.no_proxy.len())
            .finish()
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Pattern {
    All,
    Domain(String),
    Ip(IpAddr),
    Cidr(IpAddr, u8),
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct NoProxyEntry {
    pattern: Pattern,
    port: Option<u16>,
}

/// Which agent a URL goes through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Route {
    Direct,
    Http,
    Https,
}

impl Proxies {
    /// No proxy at all.
    pub fn none() -> Proxies {
        Proxies::default()
    }

    /// The settings read through `var` (see the module docs). An empty
    /// value counts as unset. Returns the variable and why its value is
    /// unusable.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Proxies, String> {
        let set = |name: &'static str| {
            var(name)
                .filter(|v| !v.trim().is_empty())
                .map(|v| (name, v.trim().to_string()))
        };
        let pick = |names: [&'static str; 2]| -> Result<Option<ProxyUrl>, String> {
            match names.into_iter().find_map(set) {
                Some((origin, value)) => parse_proxy(origin, &value).map(Some),
                None => Ok(None),
            }
        };
        let all = pick(["all_proxy", "ALL_PROXY"])?;
        let http = pick(["http_proxy", "HTTP_PROXY"])?.or_else(|| all.clone());
        let https = pick(["https_proxy", "HTTPS_PROXY"])?.or(all);
        let no_proxy = match set("no_proxy").or_else(|| set("NO_PROXY")) {
            Some((_, list)) => parse_no_proxy(&list),
            None => Vec::new(),
        };
        Ok(Proxies {
            http,
            https,
            no_proxy,
        })
    }

    /// Whether any proxy is set.
    pub fn is_empty(&self) -> bool {
        self.http.is_none() && self.https.is_none()
    }

    /// The proxy `url` goes through (`VAR=url`, password hidden), or
    /// `None` when it is reached directly.
    pub fn describe_for(&self, url: &Url) -> Option<String> {
        match self.route(url) {
            Route::Direct => None,
            Route::Http => self.http.as_ref().map(|p| format!("{p:?}")),
            Route::Https => self.https.as_ref().map(|p| format!("{p:?}")),
        }
    }

    pub(crate) fn for_route(&self, route: Route) -> Option<&ProxyUrl> {
        match route {
            Route::Direct => None,
            Route::Http => self.http.as_ref(),
            Route::Https => self.https.as_ref(),
        }
    }

    /// How `url` is reached.
    pub(crate) fn route(&self, url: &Url) -> Route {
        let (route, proxy) = match url.scheme() {
            "https" => (Route::Https, &self.https),
            "http" => (Route::Http, &self.http),
            _ => return Route::Direct,
        };
        if proxy.is_none() || self.bypass(url) {
            Route::Direct
        } else {
            route
        }
    }

    fn bypass(&self, url: &Url) -> bool {
        let port = url.port_or_known_default();
        let (name, ip) = match url.host() {
            Some(url::Host::Domain(d)) => (d.trim_end_matches('.').to_ascii_lowercase(), None),
            Some(url::Host::Ipv4(ip)) => (ip.to_string(), Some(IpAddr::V4(ip))),
            Some(url::Host::Ipv6(ip)) => (ip.to_string(), Some(IpAddr::V6(ip))),
            None => return true,
        };
        let loopback = match ip {
            Some(ip) => ip.is_loopback(),
            None => name == "localhost" || name.ends_with(".localhost"),
        };
        if loopback {
            return true;
        }
        self.no_proxy.iter().any(|entry| {
            if entry.port.is_some() && entry.port != port {
                return false;
            }
            match (&entry.pattern, ip) {
                (Pattern::All, _) => true,
                (Pattern::Domain(domain), None) => {
                    name == *domain
                        || (name.len() > domain.len()
                            && name.ends_with(domain.as_str())
                            && name.as_bytes()[name.len() - domain.len() - 1] == b'.')
                }
                (Pattern::Ip(want), Some(ip)) => *want == ip,
                (Pattern::Cidr(net, bits), Some(ip)) => in_cidr(ip, *net, *bits),
                _ => false,
            }
        })
    }
}

fn parse_proxy(origin: &'static str, value: &str) -> Result<ProxyUrl, String> {
    let with_scheme = if value.contains("://") {
        value.to_string()
    } else {
        format!("http://{value}")
    };
    let shown = ProxyUrl {
        origin,
        url: with_scheme.clone(),
    };
    let url = Url::parse(&with_scheme)
        .map_err(|e| format!("{origin}=`{}` is not a proxy URL: {e}", shown.redacted()))?;
    if !matches!(
        url.scheme(),
        "http" | "https" | "socks4" | "socks4a" | "socks5" | "socks5h"
    ) {
        return Err(format!(
            "{origin}=`{}`: the proxy scheme `{}` is not supported (http, https, socks4, socks5, socks5h)",
            shown.redacted(),
            url.scheme()
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(format!(
            "{origin}=`{}` names no proxy host",
            shown.redacted()
        ));
    }
    ureq::Proxy::new(&with_scheme)
        .map_err(|e| format!("{origin}=`{}` is not a usable proxy: {e}", shown.redacted()))?;
    Ok(shown)
}

fn parse_no_proxy(list: &str) -> Vec<NoProxyEntry> {
    list.split(|c: char| c == ',' || c.is_whitespace())
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .filter_map(parse_no_proxy_entry)
        .collect()
}

fn parse_no_proxy_entry(entry: &str) -> Option<NoProxyEntry> {
    if entry == "*" {
        return Some(NoProxyEntry {
            pattern: Pattern::All,
            port: None,
        });
    }
    // CIDR range.
    if let Some((net, bits)) = entry.split_once('/') {
        let net: IpAddr = net.trim_matches(['[', ']']).parse().ok()?;
        let bits: u8 = bits.parse().ok()?;
        let max = if net.is_ipv4() { 32 } else { 128 };
        return (bits <= max).then_some(NoProxyEntry {
            pattern: Pattern::Cidr(net, bits),
            port: None,
        });
    }
    // A bare IPv6 address (`::1`), or one in brackets with a port.
    if let Ok(ip) = entry.parse::<IpAddr>() {
        return Some(NoProxyEntry {
            pattern: Pattern::Ip(ip),
            port: None,
        });
    }
    let (host, port) = if let Some(rest) = entry.strip_prefix('[') {
        let (ip, after) = rest.split_once(']')?;
        let port = match after.strip_prefix(':') {
            Some(p) => Some(p.parse().ok()?),
            None if after.is_empty() => None,
            None => return None,
        };
        (ip.to_string(), port)
    } else {
        match entry.rsplit_once(':') {
            Some((host, port)) => (host.to_string(), Some(port.parse().ok()?)),
            None => (entry.to_string(), None),
        }
    };
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Some(NoProxyEntry {
            pattern: Pattern::Ip(ip),
            port,
        });
    }
    let domain = host
        .trim_start_matches('*')
        .trim_start_matches('.')
        .trim_end_matches('.')
        .to_ascii_lowercase();
    (!domain.is_empty()).then_some(NoProxyEntry {
        pattern: Pattern::Domain(domain),
        port,
    })
}

fn in_cidr(ip: IpAddr, net: IpAddr, bits: u8) -> bool {
    match (ip, net) {
        (IpAddr::V4(ip), IpAddr::V4(net)) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(bits)).unwrap_or(0);
            u32::from(ip) & mask == u32::from(net) & mask
        }
        (IpAddr::V6(ip), IpAddr::V6(net)) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(bits)).unwrap_or(0);
            u128::from(ip) & mask == u128::from(net) & mask
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proxies(vars: &[(&str, &str)]) -> Result<Proxies, String> {
        Proxies::from_vars(|k| {
            vars.iter()
                .find(|(name, _)| *name == k)
                .map(|(_, v)| v.to_string())
        })
    }

    fn route(p: &Proxies, url: &str) -> Route {
        p.route(&Url::parse(url).unwrap())
    }

    #[test]
    fn each_scheme_has_its_proxy_and_all_proxy_fills_in() {
        let p = proxies(&[("HTTPS_PROXY", "proxy.corp:3128")]).unwrap();
        assert_eq!(route(&p, "https://pypi.org/simple/"), Route::Https);
        assert_eq!(route(&p, "http://index.corp/simple/"), Route::Direct);
        assert_eq!(
            p.describe_for(&Url::parse("https://pypi.org/").unwrap()),
            Some("HTTPS_PROXY=http://proxy.corp:3128/".into())
        );

        let p = proxies(&[
            ("ALL_PROXY", "http://all:1"),
            ("http_proxy", "http://lower:2"),
            ("HTTP_PROXY", "http://upper:3"),
        ])
        .unwrap();
        assert_eq!(p.http.as_ref().unwrap().origin, "http_proxy");
        assert_eq!(p.https.as_ref().unwrap().origin, "ALL_PROXY");

        assert!(proxies(&[]).unwrap().is_empty());
        assert!(proxies(&[("HTTPS_PROXY", "  ")]).unwrap().is_empty());
    }

    #[test]
    fn bad_proxy_values_name_the_variable_and_hide_the_password() {
        let err = proxies(&[("HTTPS_PROXY", "ftp://user:s3cret@proxy:21")]).unwrap_err();
        assert!(err.starts_with("HTTPS_PROXY="), "{err}");
        assert!(err.contains("not supported"), "{err}");
        assert!(!err.contains("s3cret"), "{err}");
        let p = proxies(&[("HTTPS_PROXY", "http://user:s3cret@proxy:8080")]).unwrap();
        assert!(!format!("{p:?}").contains("s3cret"));
        let shown = p
            .describe_for(&Url::parse("https://pypi.org/").unwrap())
            .unwrap();
        assert!(
            !shown.contains("s3cret") && shown.contains("***"),
            "{shown}"
        );
    }

    #[test]
    fn no_proxy_as_curl_and_requests_read_it() {
        let p = proxies(&[
            ("HTTPS_PROXY", "http://proxy:3128"),
            (
                "NO_PROXY",
                " internal.corp, .svc.local,*.lab.test , 10.0.0.0/8,192.168.1.7, [fd00::1]:8443, mirror.corp:8080",
            ),
        ])
        .unwrap();
        for direct in [
            "https://internal.corp/simple/",
            "https://pkgs.internal.corp/simple/",
            "https://INTERNAL.corp./simple/",
            "https://svc.local/",
            "https://a.svc.local/",
            "https://x.lab.test/",
            "https://10.1.2.3/",
            "https://192.168.1.7/",
            "https://[fd00::1]:8443/",
            "https://mirror.corp:8080/",
            // This machine is always direct.
            "https://127.0.0.1:8443/",
            "https://127.8.9.10/",
            "https://[::1]/",
            "https://localhost/",
        ] {
            assert_eq!(route(&p, direct), Route::Direct, "{direct}");
        }
        for proxied in [
            "https://pypi.org/simple/",
            "https://notinternal.corp/",
            "https://11.0.0.1/",
            "https://192.168.1.8/",
            "https://[fd00::1]/",
            "https://mirror.corp/",
        ] {
            assert_eq!(route(&p, proxied), Route::Https, "{proxied}");
        }
        let all = proxies(&[("HTTPS_PROXY", "http://proxy:3128"), ("no_proxy", "*")]).unwrap();
        assert_eq!(route(&all, "https://pypi.org/"), Route::Direct);
        // Junk entries are ignored, not fatal.
        let junk = proxies(&[
            ("HTTPS_PROXY", "http://p:1"),
            ("NO_PROXY", "a:b:c,[x,/,1.2.3.4/99"),
        ])
        .unwrap();
        assert_eq!(route(&junk, "https://pypi.org/"), Route::Https);
    }
}
