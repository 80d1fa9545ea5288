//! `cairn import whatsapp` and `cairn search` through the built binary: the export is
//! kept and its messages found; the same export twice adds nothing; a malformed or
//! non-text file is one sentence naming where, exit 2, and nothing imported.

use cairn_e2e::{assert_cairn_error, assert_exit, Cli};

const CHAT: &str = "\u{200E}[31/12/2023, 21:41:05] Sam: Where are you?\n\
[31/12/2023, 21:43:10] Sam: Answer me.\n\
I know you're at your mum's\n\
[01/01/2024, 09:00:00] Me: \u{200E}image omitted\n";

fn chain_len(cli: &Cli) -> usize {
    cli.json_lines(["chain", "--json"]).len()
}

#[test]
fn import_search_and_import_again() {
    let cli = Cli::new();
    cli.init();
    let chat = cli.write_file("_chat.txt", CHAT.as_bytes());
    let done = cli.json(["import", "whatsapp", "--json", chat.to_str().unwrap()]);
    assert_eq!(done["messages"], 3, "{done}");
    assert_eq!(done["already_imported"], false);
    assert_eq!(done["conversation"], "WhatsApp chat");
    assert_eq!(done["date_order"], "day-first");
    let export = done["export"].as_str().unwrap().to_string();

    // The export comes back byte-exact.
    let out = cli.scratch().join("back.txt");
    cli.ok(["extract", &export, "--out", out.to_str().unwrap()]);
    assert_eq!(std::fs::read(&out).unwrap(), CHAT.as_bytes());

    let hits = cli.json(["search", "--json", "mum answer"]);
    let hits = hits.as_array().unwrap();
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!(hits[0]["kind"], "message");
    assert_eq!(hits[0]["occurred"], "2023-12-31T21:43:10");
    let text = String::from_utf8_lossy(&cli.ok(["search", "where"]).stdout).to_string();
    assert!(text.contains("[Where]"), "{text}");

    let size = chain_len(&cli);
    let again = cli.json(["import", "whatsapp", "--json", chat.to_str().unwrap()]);
    assert_eq!(again["already_imported"], true);
    assert_eq!(again["export"], export.as_str());
    assert_eq!(chain_len(&cli), size, "nothing was added");
    assert_exit(&cli.run(["verify"]), 0, "verify after imports");
}

#[test]
fn bad_exports_are_one_sentence_and_import_nothing() {
    let cli = Cli::new();
    cli.init();
    let size = chain_len(&cli);
    let cases: [(&str, &[u8], &str); 4] = [
        ("notes.txt", b"shopping list\nmilk\n", "Line 1"),
        (
            "broken.txt",
            b"31/12/2023, 21:41 - Sam: hi\n30/02/2024, 10:00 - Sam: no such day\n",
            "Line 2",
        ),
        (
            "binary.txt",
            b"31/12/2023, 21:41 - Sam: hi \xff\xfe\n",
            "after 28 bytes",
        ),
        ("empty.txt", b"\n\n", "no messages"),
    ];
    for (name, bytes, says) in cases {
        let f = cli.write_file(name, bytes);
        let line = assert_cairn_error(
            &cli.run(["import", "whatsapp", f.to_str().unwrap()]),
            2,
            name,
        );
        assert!(line.contains(says), "{name}: {line}");
        assert!(line.contains("nothing was imported"), "{name}: {line}");
    }
    let line = assert_cairn_error(
        &cli.run(["import", "whatsapp", cli.scratch().to_str().unwrap()]),
        2,
        "a folder",
    );
    assert!(line.contains("folder"), "{line}");
    assert_eq!(chain_len(&cli), size, "nothing was written");
    assert_exit(&cli.run(["verify"]), 0, "verify after refused imports");
}
