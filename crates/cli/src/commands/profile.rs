//! `gatehouse profile`: add, list and pick community profiles.

use std::io::Read as _;

use gatehouse_app::{API_KEY_ENV, Paths, Profile, Profiles};

use crate::Failure;
use crate::args::ProfileCmd;
use crate::output;

pub async fn run(cmd: ProfileCmd) -> Result<(), Failure> {
    let paths = Paths::from_env()?;
    let mut profiles = Profiles::load(&paths)?;
    match cmd {
        ProfileCmd::Add {
            name,
            url,
            auth_header,
            actor,
            gate_grace,
            refuse_expired_licence,
            alerts,
            key_stdin,
        } => {
            let profile = Profile::new(name.clone(), url.trim_end_matches('/'))
                .with_auth_header(auth_header)
                .with_actor(actor)
                .with_gate_grace(gate_grace)?
                .with_refuse_expired_licence(refuse_expired_licence)
                .with_alert_minutes(alerts)?;
            profiles.add(profile.clone())?;
            if key_stdin {
                let mut key = String::new();
                std::io::stdin().read_to_string(&mut key).map_err(|e| {
                    Failure::Error(format!("cannot read the key from standard input: {e}"))
                })?;
                tokio::task::spawn_blocking(move || profile.store_api_key(&key))
                    .await
                    .map_err(|e| Failure::Error(format!("the keychain failed: {e}")))??;
            } else if profiles.get(&name)?.env_key().is_none() {
                return Err(Failure::Refused(format!(
                    "give the API key on standard input with --key-stdin (it goes to the OS keychain), or set {} ({API_KEY_ENV} is the key of the only profile) for scripts",
                    gatehouse_app::profiles::profile_key_env(&name)
                )));
            }
            profiles.save(&paths)?;
            say!(
                "Profile \"{name}\" saved{}.",
                if key_stdin {
                    ", its key in the OS keychain"
                } else {
                    ""
                }
            );
            Ok(())
        }
        ProfileCmd::List(f) => {
            if f.json {
                output::json(&profiles);
                return Ok(());
            }
            if profiles.profiles.is_empty() {
                say!(
                    "No profiles. Add one with `gatehouse profile add NAME --url URL --key-stdin`."
                );
            }
            for p in profiles.profiles.values() {
                let mark = if profiles.current.as_deref() == Some(p.name.as_str()) {
                    "*"
                } else {
                    " "
                };
                say!("{mark} {}  {}", output::pad(&p.name, 20), p.base_url);
            }
            Ok(())
        }
        ProfileCmd::Use { name } => {
            profiles.use_profile(&name)?;
            profiles.save(&paths)?;
            say!("Using \"{name}\".");
            Ok(())
        }
        ProfileCmd::ResetCache { name } => {
            match profiles.get(&name)?.reset_cache(&paths)? {
                Some(aside) => say!(
                    "The cache of \"{name}\" is set aside as {}; a fresh one is filled from Buzz-In at the next sync.",
                    aside.display()
                ),
                None => say!("\"{name}\" has no cache yet: nothing to set aside."),
            }
            Ok(())
        }
    }
}
