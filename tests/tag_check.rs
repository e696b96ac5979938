//! pbx-tag-check driven as a user drives it: the real binary over project
//! directories holding real pyproject.toml / uv.lock files.

mod support;

use support::{git, pbx, project_with_lock, uv_build, write_project, Run, TempDir};

fn tag_check(dir: &TempDir) -> std::process::Command {
    let mut cmd = pbx("pbx-tag-check");
    cmd.arg("--project").arg(dir.path());
    cmd
}

#[test]
fn a_matching_tag_prints_the_canonical_version() {
    let dir = project_with_lock("proxbox-api", "1.2.3", "1.2.3");
    Run::of(tag_check(&dir).args(["--tag", "v1.2.3"]))
        .code(0)
        .stdout_is("1.2.3\n")
        .stderr_has("✓ tag-matches-uv-lock");
}

#[test]
fn refs_tags_prefix_is_accepted() {
    let dir = project_with_lock("proxbox-api", "1.2.3.post1", "1.2.3.post1");
    Run::of(tag_check(&dir).args(["--tag", "refs/tags/v1.2.3.post1"]))
        .code(0)
        .stdout_is("1.2.3.post1\n");
}

#[test]
fn a_pyproject_mismatch_fails_pointing_at_the_version_line() {
    let dir = project_with_lock("proxbox-api", "1.2.4", "1.2.4");
    let run = Run::of(tag_check(&dir).args(["--tag", "v1.2.3"]));
    run.code(1)
        .stdout_is("")
        .stderr_has("✗ tag-matches-pyproject")
        .stderr_has("the tag names 1.2.3 but pyproject.toml has 1.2.4")
        .stderr_has("pyproject.toml:3:11");
}

#[test]
fn a_stale_lock_fails_even_when_pyproject_matches() {
    let dir = project_with_lock("proxbox-api", "1.2.3", "1.2.2");
    let run = Run::of(tag_check(&dir).args(["--tag", "v1.2.3", "--format", "json"]));
    run.code(1);
    let json = run.json();
    let checks = json["checks"].as_array().unwrap();
    let lock = checks
        .iter()
        .find(|c| c["name"] == "tag-matches-uv-lock")
        .unwrap();
    assert_eq!(lock["ok"], false);
    assert!(lock["file"].as_str().unwrap().ends_with("uv.lock"));
    assert_eq!(lock["line"], 7);
    let pyproject = checks
        .iter()
        .find(|c| c["name"] == "tag-matches-pyproject")
        .unwrap();
    assert_eq!(pyproject["ok"], true);
}

#[test]
fn every_failure_is_reported_not_just_the_first() {
    let dir = project_with_lock("proxbox-api", "1.2.4", "1.2.5");
    let run = Run::of(tag_check(&dir).args([
        "--tag",
        "v1.2.3",
        "--expected-version",
        "1.2.6",
        "--format",
        "json",
    ]));
    run.code(1);
    let failed: Vec<String> = run.json()["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["ok"] == false)
        .map(|c| c["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        failed,
        [
            "tag-matches-pyproject",
            "tag-matches-uv-lock",
            "expected-version"
        ]
    );
}

#[test]
fn expected_version_must_match() {
    let dir = project_with_lock("proxbox-api", "1.2.3", "1.2.3");
    Run::of(tag_check(&dir).args(["--tag", "v1.2.3", "--expected-version", "1.2.3"])).code(0);
    Run::of(tag_check(&dir).args(["--tag", "v1.2.3", "--expected-version", "1.2.4"]))
        .code(1)
        .stderr_has("--expected-version has 1.2.4");
    Run::of(tag_check(&dir).args(["--tag", "v1.2.3", "--expected-version", "one"]))
        .code(2)
        .stderr_has("--expected-version");
}

#[test]
fn a_local_version_is_refused() {
    let dir = project_with_lock("proxbox-api", "1.2.3+build7", "1.2.3+build7");
    Run::of(tag_check(&dir).args(["--tag", "v1.2.3+build7"]))
        .code(1)
        .stderr_has("✗ no-local-version")
        .stderr_has("release 1.2.3 instead");
}

#[test]
fn equal_versions_spelled_differently_pass_with_a_warning() {
    let dir = project_with_lock("proxbox-api", "1.0.0", "1.0.0");
    Run::of(tag_check(&dir).args(["--tag", "v1.0"]))
        .code(0)
        .stdout_is("1.0\n")
        .stderr_has("warning: the tag spells it `1.0` and pyproject.toml `1.0.0`");
    let dir = project_with_lock("proxbox-api", "1.0-rc1", "1.0rc1");
    Run::of(tag_check(&dir).args(["--tag", "v1.0-RC1"]))
        .code(0)
        .stdout_is("1.0rc1\n")
        .stderr_has("the canonical spelling of this tag is `v1.0rc1`")
        .stderr_has("canonical form `1.0rc1`");
}

#[test]
fn names_compare_after_normalisation() {
    // pyproject says Proxbox_API, uv.lock says proxbox-api.
    let dir = project_with_lock("Proxbox_API", "2.0.0", "2.0.0");
    let run = Run::of(tag_check(&dir).args(["--tag", "v2.0.0", "--format", "json"]));
    run.code(0);
    assert_eq!(run.json()["package"], "proxbox-api");
}

#[test]
fn a_tag_that_is_not_a_version_fails_and_the_files_are_still_compared() {
    let dir = project_with_lock("proxbox-api", "1.2.3", "1.2.2");
    let run = Run::of(tag_check(&dir).args(["--tag", "vnext", "--format", "json"]));
    run.code(1);
    let json = run.json();
    let checks = json["checks"].as_array().unwrap();
    assert_eq!(checks[0]["name"], "tag-format");
    assert_eq!(checks[0]["ok"], false);
    let lock = checks
        .iter()
        .find(|c| c["name"] == "pyproject-matches-uv-lock")
        .unwrap();
    assert_eq!(lock["ok"], false);
    Run::of(tag_check(&dir).args(["--tag", "1.2.3"]))
        .code(1)
        .stderr_has("does not start with `v`");
}

#[test]
fn lanes_follow_the_release_rules() {
    let lane = |version: &str, extra: &[&str]| {
        let dir = project_with_lock("demo", version, version);
        let mut cmd = tag_check(&dir);
        cmd.args(["--tag", &format!("v{version}"), "--format", "json"])
            .args(extra);
        let run = Run::of(&mut cmd);
        run.code(0);
        let json = run.json();
        (
            json["lane"].as_str().unwrap().to_string(),
            json["kind"].as_str().unwrap().to_string(),
            json["prerelease"].as_bool().unwrap(),
        )
    };
    assert_eq!(
        lane("1.0.0", &[]),
        ("testpypi".into(), "final".into(), false)
    );
    assert_eq!(
        lane("1.0.0.post2", &[]),
        ("testpypi".into(), "post".into(), false)
    );
    assert_eq!(lane("1.0.0rc1", &[]), ("pypi".into(), "pre".into(), true));
    assert_eq!(lane("1.0.0b2", &[]), ("pypi".into(), "pre".into(), true));
    assert!(lane("1.0.0.dev3", &[]).2);
    assert_eq!(lane("1.0.0", &["--event", "release"]).0, "pypi");
    assert_eq!(lane("1.0.0rc1", &["--target", "testpypi"]).0, "testpypi");
    assert_eq!(
        lane(
            "1.0.0",
            &["--event", "workflow_dispatch", "--target", "pypi"]
        )
        .0,
        "pypi"
    );
}

#[test]
fn lane_routing_is_configurable() {
    let dir = project_with_lock("demo", "1.0.0rc1", "1.0.0rc1");
    let text = dir.read("pyproject.toml");
    dir.write(
        "pyproject.toml",
        &format!("{text}\n[tool.pbx.lanes]\npre = \"testpypi\"\nfinal = \"pypi\"\n"),
    );
    let run = Run::of(tag_check(&dir).args(["--tag", "v1.0.0rc1", "--format", "json"]));
    run.code(0);
    assert_eq!(run.json()["lane"], "testpypi");

    dir.write(
        "pyproject.toml",
        &format!("{text}\n[tool.pbx.lanes]\npre = \"prod\"\n"),
    );
    Run::of(tag_check(&dir).args(["--tag", "v1.0.0rc1"]))
        .code(2)
        .stderr_has("pyproject.toml:7:7")
        .stderr_has("unknown lane `prod`");
}

#[test]
fn a_missing_lock_passes_unless_required() {
    let dir = project_with_lock("demo", "1.0.0", "1.0.0");
    std::fs::remove_file(dir.join("uv.lock")).unwrap();
    Run::of(tag_check(&dir).args(["--tag", "v1.0.0"])).code(0);
    Run::of(tag_check(&dir).args(["--tag", "v1.0.0", "--require-lock"]))
        .code(1)
        .stderr_has("✗ uv-lock-present");
    let text = dir.read("pyproject.toml");
    dir.write(
        "pyproject.toml",
        &format!("{text}\n[tool.pbx]\nrequire-lock = true\n"),
    );
    Run::of(tag_check(&dir).args(["--tag", "v1.0.0"]))
        .code(1)
        .stderr_has("uv.lock is missing");
}

#[test]
fn no_tag_anywhere_is_a_usage_error_saying_where_it_looked() {
    let dir = project_with_lock("demo", "1.0.0", "1.0.0");
    Run::of(&mut tag_check(&dir))
        .code(2)
        .stderr_has("no release tag found")
        .stderr_has("$GITHUB_REF_NAME (not set)");
    Run::of(
        tag_check(&dir)
            .env("GITHUB_REF_NAME", "main")
            .env("GITHUB_REF_TYPE", "branch")
            .env("GITHUB_REF", "refs/heads/main"),
    )
    .code(2)
    .stderr_has("$GITHUB_REF_NAME=main ($GITHUB_REF_TYPE=branch, not a tag)");
}

#[test]
fn github_actions_tag_push_defaults_and_outputs() {
    let dir = project_with_lock("Proxbox_API", "1.2.3rc2", "1.2.3rc2");
    let out = dir.join("github_output");
    let summary = dir.join("step_summary");
    let run = Run::of(
        tag_check(&dir)
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_OUTPUT", &out)
            .env("GITHUB_STEP_SUMMARY", &summary)
            .env("GITHUB_EVENT_NAME", "push")
            .env("GITHUB_REF_TYPE", "tag")
            .env("GITHUB_REF_NAME", "v1.2.3rc2")
            .env("GITHUB_REF", "refs/tags/v1.2.3rc2"),
    );
    run.code(0)
        .stdout_is("1.2.3rc2\n")
        .stderr_has("($GITHUB_REF_NAME)");
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        "package_name=proxbox-api\ndist_name=proxbox_api\nversion=1.2.3rc2\ntag=v1.2.3rc2\npublish_target=pypi\nprerelease=true\n"
    );
    let summary = std::fs::read_to_string(&summary).unwrap();
    assert!(
        summary.contains("| tag-matches-uv-lock | ✅ passed |"),
        "{summary}"
    );
}

#[test]
fn github_ref_alone_is_enough() {
    let dir = project_with_lock("demo", "3.0.0", "3.0.0");
    Run::of(tag_check(&dir).env("GITHUB_REF", "refs/tags/v3.0.0"))
        .code(0)
        .stdout_is("3.0.0\n");
}

#[test]
fn the_release_event_tag_wins_and_routes_to_pypi() {
    let dir = project_with_lock("demo", "3.1.0", "3.1.0");
    let event = dir.write(
        "event.json",
        r#"{"action": "published", "release": {"tag_name": "v3.1.0", "prerelease": false}}"#,
    );
    let out = dir.join("github_output");
    Run::of(
        tag_check(&dir)
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_OUTPUT", &out)
            .env("GITHUB_EVENT_NAME", "release")
            .env("GITHUB_EVENT_PATH", &event)
            .env("GITHUB_REF_TYPE", "branch")
            .env("GITHUB_REF_NAME", "main"),
    )
    .code(0)
    .stdout_is("3.1.0\n");
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.contains("publish_target=pypi\n"), "{text}");
    assert!(text.contains("tag=v3.1.0\n"), "{text}");
}

#[test]
fn failures_become_annotations_on_the_file_and_line() {
    let dir = project_with_lock("demo", "1.0.1", "1.0.1");
    let run = Run::of(
        tag_check(&dir)
            .args(["--tag", "v1.0.0"])
            .env("GITHUB_ACTIONS", "true"),
    );
    run.code(1);
    let pyproject = dir.join("pyproject.toml");
    run.stderr_has(&format!(
        "::error title=tag-matches-pyproject,file={},line=3,col=11::the tag names 1.0.0 but pyproject.toml has 1.0.1",
        pyproject.display()
    ));
}

#[test]
fn malformed_files_are_input_errors_with_line_and_column() {
    let dir = TempDir::new();
    dir.write(
        "pyproject.toml",
        "[project]\nname = \"demo\"\nversion = 1.0.0\n",
    );
    Run::of(tag_check(&dir).args(["--tag", "v1.0.0"]))
        .code(2)
        .stderr_has("pyproject.toml:3:")
        .stderr_has("malformed TOML");

    dir.write("pyproject.toml", "[tool.other]\nx = 1\n");
    Run::of(tag_check(&dir).args(["--tag", "v1.0.0"]))
        .code(2)
        .stderr_has("no `[project]` table");

    dir.write("pyproject.toml", "[project]\nversion = \"1.0.0\"\n");
    Run::of(tag_check(&dir).args(["--tag", "v1.0.0"]))
        .code(2)
        .stderr_has("pyproject.toml:1:1: `[project]` has no `name`");

    dir.write(
        "pyproject.toml",
        "[project]\nname = \"demo\"\nversion = \"one\"\n",
    );
    Run::of(tag_check(&dir).args(["--tag", "v1.0.0"]))
        .code(2)
        .stderr_has("pyproject.toml:3:11: `[project].version` is not a valid PEP 440 version");

    let missing = TempDir::new();
    Run::of(tag_check(&missing).args(["--tag", "v1.0.0"]))
        .code(2)
        .stderr_has("cannot read the file");
}

#[test]
fn a_lock_without_the_project_is_an_input_error() {
    let dir = project_with_lock("demo", "1.0.0", "1.0.0");
    dir.write(
        "uv.lock",
        "version = 1\n\n[[package]]\nname = \"other\"\nversion = \"1.0.0\"\nsource = { editable = \".\" }\n\n[[package]]\nname = \"demo\"\nversion = \"0.9\"\nsource = { registry = \"https://pypi.org/simple\" }\n",
    );
    Run::of(tag_check(&dir).args(["--tag", "v1.0.0"]))
        .code(2)
        .stderr_has("uv.lock:8:1: uv.lock has a `demo` entry, but not as the root project")
        .stderr_has("run `uv lock`");
    dir.write("uv.lock", "version = 1\n[[package]\n");
    Run::of(tag_check(&dir).args(["--tag", "v1.0.0"]))
        .code(2)
        .stderr_has("uv.lock:2:")
        .stderr_has("malformed TOML");
}

#[test]
fn a_lock_with_two_root_entries_is_refused_naming_both() {
    let dir = project_with_lock("demo", "1.0.0", "1.0.0");
    dir.write(
        "uv.lock",
        "version = 1\n\n[[package]]\nname = \"demo\"\nversion = \"1.0.0\"\nsource = { editable = \".\" }\n\n[[package]]\nname = \"demo\"\nversion = \"9.9.9\"\nsource = { editable = \".\" }\n",
    );
    Run::of(tag_check(&dir).args(["--tag", "v1.0.0"]))
        .code(2)
        .stdout_is("")
        .stderr_has("uv.lock:3:1: uv.lock has 2 root entries for the project `demo`")
        .stderr_has("version 1.0.0 at line 3")
        .stderr_has("version 9.9.9 at line 8")
        .stderr_has("run `uv lock`");
}

#[test]
fn a_virtual_root_counts_as_the_project() {
    let dir = project_with_lock("demo", "1.0.0", "1.0.0");
    let lock = dir.read("uv.lock").replace("editable", "virtual");
    dir.write("uv.lock", &lock);
    Run::of(tag_check(&dir).args(["--tag", "v1.0.0"])).code(0);
}

#[test]
fn dynamic_versions_come_from_the_built_wheel() {
    let dir = TempDir::new();
    write_project(&dir, "dyn-demo", "0.0.0");
    let text = dir
        .read("pyproject.toml")
        .replace("version = \"0.0.0\"\n", "dynamic = [\"version\"]\n");
    dir.write(
        "pyproject.toml",
        &format!("{text}\n[tool.hatch.version]\npath = \"src/dyn_demo/__init__.py\"\n"),
    );
    dir.write("src/dyn_demo/__init__.py", "__version__ = \"4.5.6\"\n");

    Run::of(tag_check(&dir).args(["--tag", "v4.5.6"]))
        .code(2)
        .stderr_has("the project's version is dynamic")
        .stderr_has("--dist");

    let dist = uv_build(dir.path());
    Run::of(
        tag_check(&dir)
            .args(["--tag", "v4.5.6"])
            .arg("--dist")
            .arg(&dist),
    )
    .code(0)
    .stdout_is("4.5.6\n");
    Run::of(
        tag_check(&dir)
            .args(["--tag", "v4.5.7"])
            .arg("--dist")
            .arg(&dist),
    )
    .code(1)
    .stderr_has("the built wheel has 4.5.6");
}

#[test]
fn unknown_flags_are_usage_errors() {
    let dir = project_with_lock("demo", "1.0.0", "1.0.0");
    Run::of(tag_check(&dir).args(["--tag", "v1.0.0", "--bogus"])).code(2);
    Run::of(tag_check(&dir).args(["--tag", "v1.0.0", "--format", "yaml"])).code(2);
}

#[test]
fn json_problems_are_json_too() {
    let dir = TempDir::new();
    dir.write("pyproject.toml", "[project]\nname = \"demo\"\n");
    let run = Run::of(tag_check(&dir).args(["--tag", "v1.0.0", "--format", "json"]));
    run.code(2);
    let json = run.json();
    assert_eq!(json["exit_code"], 2);
    assert!(json["error"].as_str().unwrap().contains("no `version`"));
}

#[test]
fn empty_settings_from_a_workflow_count_as_unset() {
    // `env: { PBX_TARGET: ${{ inputs.target }} }` with no input sets "".
    let dir = project_with_lock("demo", "1.0.0rc1", "1.0.0rc1");
    let run = Run::of(
        tag_check(&dir)
            .args(["--tag", "v1.0.0rc1", "--format", "json"])
            .env("PBX_TARGET", "")
            .env("PBX_EXPECTED_VERSION", ""),
    );
    run.code(0);
    assert_eq!(run.json()["lane"], "pypi");
    let run = Run::of(
        tag_check(&dir)
            .args(["--tag", "v1.0.0rc1", "--format", "json"])
            .env("PBX_TARGET", "testpypi"),
    );
    run.code(0);
    assert_eq!(run.json()["lane"], "testpypi");
}

#[test]
fn a_failed_check_names_no_lane_and_writes_no_outputs_a_later_step_could_publish() {
    let dir = project_with_lock("proxbox-api", "1.2.3", "1.2.3");
    let out = dir.join("github_output");
    let run = Run::of(
        tag_check(&dir)
            .args(["--tag", "vfoo"])
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_OUTPUT", &out),
    );
    run.code(1)
        .stdout_is("")
        .stderr_has("(not a release tag: no lane)");
    assert!(!run.stderr.contains("→ testpypi"), "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(&out).unwrap_or_default(), "");

    // A mismatch: the lane it would take is said, nothing is written.
    let stale = project_with_lock("proxbox-api", "1.2.4", "1.2.4");
    let out = stale.join("github_output");
    Run::of(
        tag_check(&stale)
            .args(["--tag", "v1.2.3"])
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_OUTPUT", &out),
    )
    .code(1)
    .stderr_has("(would go to testpypi: a final release tag)");
    assert_eq!(std::fs::read_to_string(&out).unwrap_or_default(), "");
}

#[test]
fn the_lane_reason_names_the_setting_that_decided_it() {
    let dir = project_with_lock("proxbox-api", "1.2.3rc1", "1.2.3rc1");
    Run::of(
        tag_check(&dir)
            .args(["--tag", "v1.2.3rc1"])
            .env("PBX_TARGET", "testpypi"),
    )
    .code(0)
    .stderr_has("→ testpypi (PBX_TARGET)");
    Run::of(tag_check(&dir).args(["--tag", "v1.2.3rc1", "--target", "testpypi"]))
        .code(0)
        .stderr_has("→ testpypi (--target)");
    let text = std::fs::read_to_string(dir.join("pyproject.toml")).unwrap();
    dir.write(
        "pyproject.toml",
        &format!("{text}\n[tool.pbx.lanes]\npre = \"testpypi\"\n"),
    );
    Run::of(tag_check(&dir).args(["--tag", "v1.2.3rc1"]))
        .code(0)
        .stderr_has("→ testpypi (a pre-release (aN, bN, rcN) tag, routed by [tool.pbx.lanes])");
    Run::of(
        tag_check(&dir)
            .args(["--tag", "v1.2.3rc1"])
            .env("PBX_TARGET", "prod"),
    )
    .code(2)
    .stderr_has("PBX_TARGET: unknown lane `prod`");
}

#[test]
fn a_missing_lock_is_said_not_skipped_in_silence() {
    let dir = TempDir::new();
    dir.write(
        "pyproject.toml",
        "[project]\nname = \"no-lock\"\nversion = \"1.0.0\"\n",
    );
    Run::of(tag_check(&dir).args(["--tag", "v1.0.0"]))
        .code(0)
        .stderr_has("! uv-lock-present")
        .stderr_has("uv.lock is missing, so its version was not checked");
}

#[test]
fn a_local_run_without_tag_uses_the_tag_at_head_and_refuses_to_guess_between_two() {
    let dir = project_with_lock("proxbox-api", "1.2.3", "1.2.3");
    git(dir.path(), &["init", "-q", "-b", "main"]);
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-q", "-m", "release"]);
    git(dir.path(), &["tag", "v1.2.3"]);
    Run::of(&mut tag_check(&dir))
        .code(0)
        .stdout_is("1.2.3\n")
        .stderr_has("(the tag at HEAD)");
    git(dir.path(), &["tag", "v1.2.3.post1"]);
    Run::of(&mut tag_check(&dir))
        .code(2)
        .stderr_has("no tag was given and HEAD carries several: v1.2.3, v1.2.3.post1")
        .stderr_has("--tag");
}

#[test]
fn tags_with_whitespace_are_refused_and_unprefixed_tags_point_at_tag_prefix() {
    let dir = project_with_lock("proxbox-api", "1.2.3", "1.2.3");
    Run::of(tag_check(&dir).args(["--tag", "v1.2.3\n"]))
        .code(2)
        .stderr_has("has surrounding whitespace");
    Run::of(tag_check(&dir).env("PBX_TAG", " v1.2.3"))
        .code(2)
        .stderr_has("has surrounding whitespace");
    Run::of(tag_check(&dir).args(["--tag", "1.2.3"]))
        .code(1)
        .stderr_has("set `[tool.pbx] tag-prefix = \"\"`");
}

#[test]
fn setup_py_and_poetry_projects_are_told_what_pbx_needs() {
    let dir = TempDir::new();
    dir.write("setup.py", "from setuptools import setup\nsetup()\n");
    Run::of(tag_check(&dir).args(["--tag", "v1.0.0"]))
        .code(2)
        .stderr_has("this project keeps its metadata in setup.py")
        .stderr_has("pbx-checksum inspect dist --expect-version");
    let poetry = TempDir::new();
    poetry.write(
        "pyproject.toml",
        "[tool.poetry]\nname = \"demo\"\nversion = \"1.2.0\"\n",
    );
    Run::of(tag_check(&poetry).args(["--tag", "v1.2.0"]))
        .code(2)
        .stderr_has("Poetry keeps this project's version (1.2.0) in `[tool.poetry]`");
}

#[cfg(unix)]
#[test]
fn a_fifo_or_device_as_a_project_file_is_refused_at_once() {
    let dir = project_with_lock("proxbox-api", "1.2.3", "1.2.3");
    std::fs::remove_file(dir.join("uv.lock")).unwrap();
    support::mkfifo(&dir.join("uv.lock"));
    Run::of(tag_check(&dir).args(["--tag", "v1.2.3"]))
        .code(2)
        .stderr_has("uv.lock")
        .stderr_has("not a regular file");
    std::fs::remove_file(dir.join("pyproject.toml")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", dir.join("pyproject.toml")).unwrap();
    Run::of(tag_check(&dir).args(["--tag", "v1.2.3"]))
        .code(2)
        .stderr_has("not a regular file");

    // The Actions event payload is read the same way.
    let dir = project_with_lock("proxbox-api", "1.2.3", "1.2.3");
    let event = dir.join("event.json");
    support::mkfifo(&event);
    Run::of(
        tag_check(&dir)
            .env("GITHUB_EVENT_NAME", "release")
            .env("GITHUB_EVENT_PATH", &event),
    )
    .code(2)
    .stderr_has("event.json")
    .stderr_has("not a regular file");
}
