//! Secrets stored encoded: base64 (standard and URL-safe, on one line or wrapped over several)
//! anywhere, Kubernetes Secret `data:`
//! values, a base64 PEM key, JWTs and config blobs stored base64, Docker `config.json`
//! credentials, percent-encoded passwords in URIs, JSON string escapes. Each is found where the
//! encoded text starts, with the decoding path, in history, `--since`, `--worktree` and
//! `--staged`, and the encoded text never reaches a report.

use super::*;
use base64::Engine as _;

/// A throwaway EC key (generated for the rule's examples; it protects nothing).
const EC_KEY: &str = "-----BEGIN EC PRIVATE KEY-----
MHcCAQEEIGCQIR1FrR2cl3Sd0tChQ1LlUia0Y+ZJ84ppA8lMVWvIoAoGCCqGSM49
AwEHoUQDQgAElKcmLdnPRIWrIRNEAWYnjVyRdkH0Rg0uhGAuJgS/F5uaGukaniRd
IzKmdIN4ukm11/BDbznRihs5i7Fa2I/faA==
-----END EC PRIVATE KEY-----
";
const DATABASE_URL: &str = "postgres://app:Zr8Kq2Vn5Lx9Tb4Wm7Yc@db.internal:5432/app";
const JWT: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJjaS1ib3QiLCJpc3MiOiJwYWxpc2FkZS1maXh0dXJlIiwiaWF0IjoxNzY0MDAwMDAwfQ.Zm4f3nQ0J2b9mS4kQ7yX1cV8pL5tR2wE6uI9oA3sD0g";

fn b64(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(text)
}

fn b64url(text: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text)
}

fn k8s_secret() -> String {
    format!(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: app\ntype: Opaque\ndata:\n  DATABASE_URL: {}\nstringData:\n  STRIPE_KEY: \"{STRIPE}\"\n",
        b64(DATABASE_URL)
    )
}

/// The finding of `rule` (by subject id, so unreachable ones count too).
fn finding<'a>(doc: &'a Value, rule: &str) -> &'a Value {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["subject"]["id"] == rule)
        .unwrap_or_else(|| panic!("no {rule} finding: {doc:#}"))
}

fn assert_decoded(f: &Value, path: &str, line: u64, column: u64, decoding: &str) {
    assert_eq!(f["locations"][0]["path"], path, "{f:#}");
    assert_eq!(f["locations"][0]["line"], line, "{f:#}");
    assert_eq!(f["locations"][0]["column"], column, "{f:#}");
    assert_eq!(f["evidence"]["decoding"], decoding, "{f:#}");
    let message = f["message"].as_str().unwrap();
    assert!(
        message.contains(&format!("(decoded: {decoding})")),
        "{message}"
    );
}

#[test]
fn kubernetes_secret_data_is_decoded_and_string_data_read_as_it_is() {
    let repo = Repo::new();
    repo.write("deploy/secret.yaml", &k8s_secret());
    repo.commit("deploy secret");
    let (run, doc) = repo.scan(&[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_decoded(
        finding(&doc, "secret.postgres-uri"),
        "deploy/secret.yaml",
        7,
        17,
        "base64 → Secret data.DATABASE_URL",
    );
    let plain = finding(&doc, "secret.stripe-live-secret-key");
    assert_eq!(plain["evidence"]["decoding"], Value::Null);
    assert_eq!(plain["locations"][0]["line"], 9);
}

#[test]
fn a_tls_secret_key_and_a_base64_pem_anywhere_are_private_keys() {
    let repo = Repo::new();
    repo.write(
        "tls.yaml",
        &format!(
            "apiVersion: v1\nkind: Secret\ntype: kubernetes.io/tls\ndata:\n  tls.crt: {}\n  tls.key: {}\n",
            b64("-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n"),
            b64(EC_KEY)
        ),
    );
    repo.commit("tls");
    let (run, doc) = repo.scan(&[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_decoded(
        finding(&doc, "secret.ec-private-key"),
        "tls.yaml",
        6,
        12,
        "base64 → Secret data.tls.key",
    );
    // `LS0tLS1CRUdJTi…` in any file, not only a manifest.
    let repo = Repo::new();
    repo.write(
        "app.json",
        &format!("{{\"signing\": \"{}\"}}\n", b64(EC_KEY)),
    );
    repo.commit("config");
    let (_, doc) = repo.scan(&[]);
    let f = finding(&doc, "secret.ec-private-key");
    assert!(b64(EC_KEY).starts_with("LS0tLS1CRUdJTi"));
    assert_decoded(f, "app.json", 1, 14, "base64 → signing");
}

#[test]
fn a_jwt_and_a_config_stored_base64_are_decoded() {
    let repo = Repo::new();
    repo.write(
        "ci.env",
        &format!(
            "AUTH_B64={}\nCONFIG_B64={}\n",
            b64url(&format!("Bearer {JWT}")),
            b64(&format!(
                "[default]\naws_secret_access_key = {AWS_SECRET}\n"
            ))
        ),
    );
    repo.commit("ci env");
    let (run, doc) = repo.scan(&[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_decoded(
        finding(&doc, "secret.jwt"),
        "ci.env",
        1,
        10,
        "base64 → AUTH_B64",
    );
    assert_decoded(
        finding(&doc, "secret.aws-secret-access-key"),
        "ci.env",
        2,
        12,
        "base64 → CONFIG_B64",
    );
}

/// A config stored as `base64` writes it, wrapped at 76 characters, was read line by line:
/// no line decodes to the key. The block is decoded whole and reported at its first line.
#[test]
fn base64_wrapped_over_lines_was_not_decoded() {
    let repo = Repo::new();
    let config =
        format!("[default]\naws_secret_access_key = {AWS_SECRET}\nsigning_key = |\n{EC_KEY}");
    let wrapped: Vec<String> = b64(&config)
        .as_bytes()
        .chunks(76)
        .map(|line| String::from_utf8_lossy(line).into_owned())
        .collect();
    assert!(wrapped.len() > 3);
    repo.write("deploy/credentials.b64", &(wrapped.join("\n") + "\n"));
    repo.commit("credentials");
    let (run, doc) = repo.scan(&[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    for rule in ["secret.aws-secret-access-key", "secret.ec-private-key"] {
        assert_decoded(
            finding(&doc, rule),
            "deploy/credentials.b64",
            1,
            1,
            "base64 (wrapped)",
        );
    }
}

#[test]
fn a_docker_config_credential_names_its_registry() {
    let repo = Repo::new();
    let auth = b64("deploy:Q9mX2kP7rT4vW8yB1");
    repo.write(
        ".docker/config.json",
        &format!(
            "{{\n  \"auths\": {{\n    \"registry.example.com\": {{\n      \"auth\": \"{auth}\"\n    }}\n  }}\n}}\n"
        ),
    );
    repo.commit("docker login");
    let (run, doc) = repo.scan(&[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let f = finding(&doc, "secret.docker-config-auth");
    assert_eq!(f["evidence"]["registry"]["name"], "registry.example.com");
    assert_eq!(f["evidence"]["registry"]["user"], "deploy");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("for registry registry.example.com as deploy"),
        "{f:#}"
    );
    // The same file as a Kubernetes dockerconfigjson Secret: base64 inside base64.
    let repo = Repo::new();
    let config = format!("{{\"auths\":{{\"ghcr.io\":{{\"auth\":\"{auth}\"}}}}}}");
    repo.write(
        "pull-secret.yaml",
        &format!(
            "apiVersion: v1\nkind: Secret\ntype: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: {}\n",
            b64(&config)
        ),
    );
    repo.commit("pull secret");
    let (_, doc) = repo.scan(&[]);
    let f = finding(&doc, "secret.docker-config-auth");
    assert_eq!(f["evidence"]["registry"]["name"], "ghcr.io");
    assert_eq!(f["locations"][0]["line"], 5);
    assert_eq!(
        f["evidence"]["decoding"],
        "base64 → Secret data..dockerconfigjson → base64 → auths.\"ghcr.io\".auth (user:password)"
    );
}

#[test]
fn percent_encoded_passwords_are_decoded_before_the_checks() {
    let repo = Repo::new();
    repo.write(
        "db.env",
        "SHOP=mysql://svc:p%40ss-Q9mX2kP7rT4vW8@mysql.internal/shop\nAPP=postgres://app:%24%7BPGPASSWORD%7D@db.internal/app\n",
    );
    repo.commit("db urls");
    let (run, doc) = repo.scan(&[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    // The template `${PGPASSWORD}`, percent-encoded, is a placeholder: one finding only.
    let f = only_finding(&doc, "secret.mysql-uri");
    assert_eq!(f["evidence"]["decoding"], "percent-encoded userinfo");
    assert!(
        f["evidence"]["secret"]
            .as_str()
            .unwrap()
            .starts_with("p@ss")
    );
    assert_eq!(f["locations"][0]["column"], 18);
}

#[test]
fn json_string_escapes_are_decoded() {
    let repo = Repo::new();
    repo.write(
        "creds.json",
        &format!(
            "{{\"aws_secret_access_key\": \"{}\"}}\n",
            AWS_SECRET.replace('/', "\\u002F")
        ),
    );
    repo.commit("creds");
    let (run, doc) = repo.scan(&[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_decoded(
        finding(&doc, "secret.aws-secret-access-key"),
        "creds.json",
        1,
        28,
        "JSON string escapes → aws_secret_access_key",
    );
}

#[test]
fn decoded_secrets_are_found_in_since_worktree_and_staged() {
    let repo = Repo::new();
    repo.write("README.md", "service\n");
    repo.commit("initial");
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write("deploy/secret.yaml", &k8s_secret());
    repo.commit("deploy secret");
    let (run, doc) = repo.scan(&["--since", "main"]);
    assert_eq!(run.code, 1, "{doc:#}");
    assert_eq!(
        finding(&doc, "secret.postgres-uri")["evidence"]["decoding"],
        "base64 → Secret data.DATABASE_URL"
    );
    let (run, doc) = repo.scan(&["--worktree"]);
    assert_eq!(run.code, 1, "{doc:#}");
    assert_eq!(
        finding(&doc, "secret.postgres-uri")["locations"][0]["line"],
        7
    );
    repo.write("staged.env", &format!("CONFIG_B64={}\n", b64(DATABASE_URL)));
    repo.git(&["add", "staged.env"]);
    let (run, doc) = repo.scan(&["--staged"]);
    assert_eq!(run.code, 1, "{doc:#}");
    assert_decoded(
        finding(&doc, "secret.postgres-uri"),
        "staged.env",
        1,
        12,
        "base64 → CONFIG_B64",
    );
}

#[test]
fn no_output_shows_the_encoded_text_of_a_secret() {
    let repo = Repo::new();
    let encoded = b64(DATABASE_URL);
    repo.write("deploy/secret.yaml", &k8s_secret());
    // The summary shown beside the finding holds it too: no rule sees it there as stored.
    repo.commit(&format!("add secret {encoded}"));
    let sarif = sarif_dir().join("secrets-decoded.sarif");
    let json_file = repo.path().join("out.json");
    let run = finish(
        command(repo.path())
            .args(["secrets", "."])
            .args(every_format(&sarif, &json_file))
            .output()
            .unwrap(),
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    for text in [
        run.stdout.clone(),
        run.stderr.clone(),
        std::fs::read_to_string(&sarif).unwrap(),
        std::fs::read_to_string(&json_file).unwrap(),
    ] {
        for start in (4..encoded.len() - 8).step_by(4) {
            let window = &encoded[start..start + 8];
            assert!(!text.contains(window), "{window} in {text}");
        }
        assert!(!text.contains("Zr8Kq2Vn"), "{text}");
    }
}
