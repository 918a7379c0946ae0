//! Waiting for something to become true, with a deadline and a message that says what was
//! last seen.

use std::future::Future;
use std::time::{Duration, Instant};

/// How often a check is tried again.
const EVERY: Duration = Duration::from_millis(50);

/// Runs `check` until it returns `Ok`, for up to `within`; `Err` says what it saw instead,
/// and the last of those is the `Err` when the time is up.
pub async fn within<T, F, Fut>(within: Duration, mut check: F) -> Result<T, String>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, String>>,
{
    let deadline = Instant::now() + within;
    loop {
        match check().await {
            Ok(value) => return Ok(value),
            Err(seen) if Instant::now() >= deadline => return Err(seen),
            Err(_) => tokio::time::sleep(EVERY).await,
        }
    }
}

/// [`within`], failing the test with `what` and the last thing seen when the time is up.
pub async fn eventually<T, F, Fut>(what: &str, within: Duration, check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, String>>,
{
    self::within(within, check)
        .await
        .unwrap_or_else(|seen| panic!("{what}: not after {within:?}; last seen: {seen}"))
}

/// [`eventually`] for a check that says only yes or no.
pub async fn eventually_true<F, Fut>(what: &str, within: Duration, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    eventually(what, within, || {
        let fut = check();
        async move { if fut.await { Ok(()) } else { Err("no".into()) } }
    })
    .await
}

/// [`within`] for code outside an async runtime.
pub fn within_blocking<T>(
    within: Duration,
    mut check: impl FnMut() -> Result<T, String>,
) -> Result<T, String> {
    let deadline = Instant::now() + within;
    loop {
        match check() {
            Ok(value) => return Ok(value),
            Err(seen) if Instant::now() >= deadline => return Err(seen),
            Err(_) => std::thread::sleep(EVERY),
        }
    }
}

/// [`eventually`] for code outside an async runtime.
pub fn eventually_blocking<T>(
    what: &str,
    within: Duration,
    check: impl FnMut() -> Result<T, String>,
) -> T {
    within_blocking(within, check)
        .unwrap_or_else(|seen| panic!("{what}: not after {within:?}; last seen: {seen}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn returns_the_first_success() {
        let mut n = 0;
        let got = eventually("three tries", Duration::from_secs(5), || {
            n += 1;
            let now = n;
            async move {
                if now >= 3 {
                    Ok(now)
                } else {
                    Err(format!("try {now}"))
                }
            }
        })
        .await;
        assert_eq!(got, 3);
    }

    #[tokio::test]
    #[should_panic(expected = "never: not after")]
    async fn panics_with_what_it_last_saw() {
        eventually::<(), _, _>("never", Duration::from_millis(120), || async {
            Err("still no".to_owned())
        })
        .await;
    }

    #[test]
    fn the_blocking_one_waits_too() {
        let start = Instant::now();
        let got = eventually_blocking("a moment", Duration::from_secs(5), || {
            if start.elapsed() > Duration::from_millis(100) {
                Ok("done")
            } else {
                Err("too soon".into())
            }
        });
        assert_eq!(got, "done");
    }
}
