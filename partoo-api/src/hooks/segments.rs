//! A path parameter fills one segment of its operation's path, and only that.
//!
//! progenitor percent-encodes a path parameter's value (a `/` becomes `%2F`) but leaves `.` alone, and the
//! URL parser then resolves dot segments: `GET /business/{business_id}` with `..` became `GET /` (the
//! base URL's path), and `POST /business/{business_id}/unsubscribe` with `..` became `POST /unsubscribe`. An
//! empty value leaves an empty segment (`/business//attributes`). progenitor leaves `\` alone too, and the
//! URL parser reads it as `/`: `a\b` fills two segments. Each is another request than the one the caller
//! wrote, sent with the API key, so [`check`] refuses them before anything is sent.

/// Whether the request path `path` fills the operation's `template` under the base URL's path `base`
/// (`/v2`, or empty), one segment for each of the template's: the same number of segments, and none empty
/// where the template has a `{parameter}`. Literal segments are not compared, so that no encoding of them
/// can refuse a valid request: a dot segment always changes the count, which is what gives it away.
pub(super) fn check(base: &str, path: &str, template: &str) -> Result<(), String> {
    let fits = path.strip_prefix(base).is_some_and(|rest| {
        rest.split('/').count() == template.split('/').count()
            && template
                .split('/')
                .zip(rest.split('/'))
                .all(|(w, g)| !(w.starts_with('{') && w.ends_with('}') && g.is_empty()))
    });
    if fits {
        Ok(())
    } else {
        Err(format!(
            "a path parameter of `{template}` does not fill one segment (it is empty, `.` or `..`, or holds a \
             `\\`, which URLs read as `/`): it would send the request to `{path}` instead; give each path \
             parameter a value of its own"
        ))
    }
}

/// The path of a base URL as request paths start with it: `/v2` for `https://api.partoo.co/v2`, empty for a
/// URL without one.
pub(crate) fn base_path(base_url: &str) -> String {
    reqwest::Url::parse(base_url)
        .map(|url| url.path().trim_end_matches('/').to_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::{base_path, check};

    #[test]
    fn a_path_that_fills_its_template_passes() {
        assert_eq!(
            check("/v2", "/v2/business/b-1", "/business/{business_id}"),
            Ok(())
        );
        assert_eq!(
            check(
                "",
                "/business/a%2Fb/attributes",
                "/business/{id}/attributes"
            ),
            Ok(())
        );
        assert_eq!(check("/v2", "/v2/org", "/org"), Ok(()));
        assert_eq!(
            check("", "/business/...", "/business/{business_id}"),
            Ok(())
        );
    }

    #[test]
    fn a_path_changed_by_a_dot_or_an_empty_value_is_refused() {
        for (path, template) in [
            ("/v2", "/business/{business_id}"),
            ("/v2/", "/business/{business_id}"),
            ("/v2/business/", "/business/{business_id}"),
            ("/v2/unsubscribe", "/business/{business_id}/unsubscribe"),
            (
                "/v2/business//unsubscribe",
                "/business/{business_id}/unsubscribe",
            ),
            ("/other/business/b-1", "/business/{business_id}"),
        ] {
            let err = check("/v2", path, template).expect_err(path);
            assert!(err.contains(template) && err.contains(path), "{err}");
        }
    }

    #[test]
    fn base_paths() {
        assert_eq!(base_path("https://api.partoo.co/v2"), "/v2");
        assert_eq!(base_path("https://api.partoo.co/v2/"), "/v2");
        assert_eq!(base_path("http://127.0.0.1:8080"), "");
    }
}
