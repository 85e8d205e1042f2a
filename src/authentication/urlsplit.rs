//! Python 3.11's `urllib.parse.urlsplit` and `SplitResult.geturl()`, as Django's CSRF checks
//! use them on `Origin`, `Referer` and `CSRF_TRUSTED_ORIGINS`.

/// `SplitResult`.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct SplitResult {
    /// Lower-cased scheme (or `""`).
    pub scheme: String,
    /// `host[:port]` with userinfo (or `""`).
    pub netloc: String,
    /// The path.
    pub path: String,
    /// After `?`.
    pub query: String,
    /// After `#`.
    pub fragment: String,
}

impl SplitResult {
    /// `geturl()` (`urlunsplit`).
    ///
    /// ```
    /// use drf_gate::authentication::urlsplit::urlsplit;
    /// assert_eq!(urlsplit("HTTPS://evil.com/x?#").unwrap().geturl(), "https://evil.com/x");
    /// ```
    pub fn geturl(&self) -> String {
        let mut url = self.path.clone();
        let uses_netloc = matches!(
            self.scheme.as_str(),
            "" | "ftp"
                | "http"
                | "gopher"
                | "nntp"
                | "telnet"
                | "imap"
                | "wais"
                | "file"
                | "mms"
                | "https"
                | "shttp"
                | "snews"
                | "prospero"
                | "rtsp"
                | "rtspu"
                | "rsync"
                | "svn"
                | "svn+ssh"
                | "sftp"
                | "nfs"
                | "git"
                | "git+ssh"
                | "ws"
                | "wss"
                | "itms-services"
        );
        if !self.netloc.is_empty() || (!self.scheme.is_empty() && uses_netloc && !url.starts_with("//")) {
            if !url.is_empty() && !url.starts_with('/') {
                url.insert(0, '/');
            }
            url = format!("//{}{}", self.netloc, url);
        }
        if !self.scheme.is_empty() {
            url = format!("{}:{}", self.scheme, url);
        }
        if !self.query.is_empty() {
            url = format!("{url}?{}", self.query);
        }
        if !self.fragment.is_empty() {
            url = format!("{url}#{}", self.fragment);
        }
        url
    }
}

fn scheme_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')
}

/// `urlsplit(url)`; `None` where Python raises `ValueError` (unbalanced or invalid brackets).
///
/// ```
/// use drf_gate::authentication::urlsplit::urlsplit;
/// let parts = urlsplit("https://a.example.com:8443/p?q#f").unwrap();
/// assert_eq!((parts.scheme.as_str(), parts.netloc.as_str()), ("https", "a.example.com:8443"));
/// assert!(urlsplit("https://[::1/").is_none());
/// assert_eq!(urlsplit("not a url").unwrap().netloc, "");
/// ```
pub fn urlsplit(url: &str) -> Option<SplitResult> {
    let url: String =
        url.trim_start_matches(|c: char| c <= ' ').chars().filter(|c| !matches!(c, '\t' | '\r' | '\n')).collect();
    let mut result = SplitResult::default();
    let mut rest = url.as_str();
    if let Some(i) = rest.find(':') {
        let candidate = rest.get(..i).unwrap_or("");
        if i > 0
            && candidate.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && candidate.chars().all(scheme_char)
        {
            result.scheme = candidate.to_ascii_lowercase();
            rest = rest.get(i + 1..).unwrap_or("");
        }
    }
    if let Some(after) = rest.strip_prefix("//") {
        let end = after.find(['/', '?', '#']).unwrap_or(after.len());
        let netloc = after.get(..end).unwrap_or("");
        rest = after.get(end..).unwrap_or("");
        let (open, close) = (netloc.contains('['), netloc.contains(']'));
        if open != close {
            return None;
        }
        if open {
            let inside = netloc.split_once('[').map_or("", |(_, r)| r);
            let host = inside.split_once(']').map_or(inside, |(h, _)| h);
            if !valid_bracketed_host(host) {
                return None;
            }
        }
        result.netloc = netloc.to_string();
    }
    let (before_fragment, fragment) = rest.split_once('#').unwrap_or((rest, ""));
    let (path, query) = before_fragment.split_once('?').unwrap_or((before_fragment, ""));
    result.path = path.to_string();
    result.query = query.to_string();
    result.fragment = fragment.to_string();
    Some(result)
}

/// `_check_bracketed_host`: IPvFuture (`v1.x`) or an IPv6 address (not IPv4).
fn valid_bracketed_host(host: &str) -> bool {
    if let Some(future) = host.strip_prefix('v') {
        let Some((hexpart, tail)) = future.split_once('.') else { return false };
        return !hexpart.is_empty()
            && hexpart.chars().all(|c| c.is_ascii_hexdigit())
            && !tail.is_empty()
            && !tail.contains('\n');
    }
    let address = host.split_once('%').map_or(host, |(a, scope)| if scope.is_empty() { "" } else { a });
    address.parse::<std::net::Ipv6Addr>().is_ok()
}
