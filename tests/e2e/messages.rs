//! `cairn import …` and `cairn search` through the built binary: the export is kept
//! and its messages found, with their attached files; the same export twice adds
//! nothing; a malformed or hostile file is one sentence naming where, exit 2, and
//! nothing imported. Every format: WhatsApp (.txt and .zip), SMS Backup & Restore,
//! email, Telegram.

use std::io::Write;

use cairn_e2e::{assert_cairn_error, assert_exit, Cli};
use serde_json::Value;

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
    assert_eq!(done["conversations"][0], "WhatsApp chat");
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

/// A JPEG's first bytes and some noise: enough to be kept as a photo.
fn photo() -> Vec<u8> {
    let mut b = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00".to_vec();
    b.extend((0..4000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 11) as u8));
    b
}

fn b64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// The file items attached to each imported message, in the list's order.
fn attached_files(cli: &Cli) -> Vec<(Value, Vec<String>)> {
    let list = cli.json(["list", "--json"]);
    list.as_array()
        .unwrap()
        .iter()
        .filter(|i| i["kind"] == "message")
        .map(|i| {
            let shown = cli.json(["show", "--json", i["id"].as_str().unwrap()]);
            let rec = shown["record"].clone();
            let files = rec["attachments"]
                .as_array()
                .map(|a| a.iter().map(|f| f.as_str().unwrap().to_string()).collect())
                .unwrap_or_default();
            (rec, files)
        })
        .collect()
}

fn extracted(cli: &Cli, id: &str) -> Vec<u8> {
    let out = cli.scratch().join(format!("{id}.out"));
    cli.ok(["extract", id, "--out", out.to_str().unwrap()]);
    std::fs::read(&out).unwrap()
}

#[test]
fn every_format_imports_with_its_attachments() {
    let cli = Cli::new();
    cli.init();
    let jpeg = photo();

    // SMS Backup & Restore: an SMS and an MMS with a photo and text.
    let sms = format!(
        "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n\
<smses count=\"2\" backup_set=\"x\" backup_date=\"1704456000000\" type=\"full\">\n\
  <sms protocol=\"0\" address=\"+447700900123\" date=\"1704455000000\" type=\"1\" subject=\"null\" body=\"Where are you? I know you&apos;re at your mum&apos;s\" toa=\"null\" sc_toa=\"null\" service_center=\"null\" read=\"1\" status=\"-1\" locked=\"0\" date_sent=\"0\" sub_id=\"1\" readable_date=\"5 Jan 2024 11:43:20\" contact_name=\"Sam\" />\n\
  <mms date=\"1704455100000\" ct_t=\"application/vnd.wap.multipart.related\" msg_box=\"1\" address=\"+447700900123\" sub=\"null\" readable_date=\"5 Jan 2024 11:45:00\" contact_name=\"Sam\">\n\
    <parts>\n\
      <part seq=\"0\" ct=\"image/jpeg\" name=\"IMG_1.jpg\" chset=\"null\" cd=\"null\" fn=\"null\" cid=\"&lt;IMG_1&gt;\" cl=\"IMG_1.jpg\" ctt_s=\"null\" ctt_t=\"null\" text=\"null\" data=\"{}\" />\n\
      <part seq=\"1\" ct=\"text/plain\" name=\"null\" chset=\"106\" cd=\"null\" fn=\"null\" cid=\"null\" cl=\"text_0.txt\" ctt_s=\"null\" ctt_t=\"null\" text=\"Look at your car\" />\n\
    </parts>\n\
    <addrs>\n\
      <addr address=\"+447700900123\" type=\"137\" charset=\"106\" />\n\
      <addr address=\"+447700900999\" type=\"151\" charset=\"106\" />\n\
    </addrs>\n\
  </mms>\n\
</smses>\n",
        b64(&jpeg)
    );
    let f = cli.write_file("sms-20240105.xml", sms.as_bytes());
    let done = cli.json(["import", "sms", "--json", f.to_str().unwrap()]);
    assert_eq!(
        (done["messages"].as_u64(), done["attachments"].as_u64()),
        (Some(2), Some(1)),
        "{done}"
    );
    assert_eq!(done["conversations"][0], "Sam");
    let again = cli.json(["import", "sms", "--json", f.to_str().unwrap()]);
    assert_eq!(again["already_imported"], true);

    // An email with a PDF attached.
    let pdf = b"%PDF-1.4\n% a letter\n".to_vec();
    let eml = format!(
        "From: Sam <sam@example.org>\r\nTo: Me <me@example.org>\r\nSubject: tonight\r\n\
Date: Fri, 05 Jan 2024 11:50:00 +0100\r\nMessage-ID: <1@example.org>\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\n\
Content-Type: text/plain; charset=utf-8\r\n\r\nI am outside your work.\r\n--b1\r\n\
Content-Type: application/pdf; name=\"letter.pdf\"\r\n\
Content-Disposition: attachment; filename=\"letter.pdf\"\r\n\
Content-Transfer-Encoding: base64\r\n\r\n{}\r\n--b1--\r\n",
        b64(&pdf)
    );
    let f = cli.write_file("tonight.eml", eml.as_bytes());
    let done = cli.json(["import", "email", "--json", f.to_str().unwrap()]);
    assert_eq!(
        (done["messages"].as_u64(), done["attachments"].as_u64()),
        (Some(1), Some(1)),
        "{done}"
    );

    // Telegram Desktop: result.json and its photos folder; one photo left out.
    let tg = cli.scratch().join("ChatExport_2024-01-05");
    std::fs::create_dir_all(tg.join("photos")).unwrap();
    std::fs::write(tg.join("photos/photo_1@05-01-2024_11-44-20.jpg"), &jpeg).unwrap();
    let json = r#"{
 "name": "Sam",
 "type": "personal_chat",
 "id": 1,
 "messages": [
  {
   "id": 1, "type": "message", "date": "2024-01-05T11:43:20", "date_unixtime": "1704455000",
   "from": "Sam", "from_id": "user1", "text": "Answer the phone"
  },
  {
   "id": 2, "type": "message", "date": "2024-01-05T11:44:20", "date_unixtime": "1704455060",
   "from": "Sam", "from_id": "user1", "photo": "photos/photo_1@05-01-2024_11-44-20.jpg",
   "width": 1, "height": 1, "text": ""
  },
  {
   "id": 3, "type": "message", "date": "2024-01-05T11:45:20", "date_unixtime": "1704455120",
   "from": "Sam", "from_id": "user1", "photo": "photos/photo_2@05-01-2024_11-45-20.jpg",
   "width": 1, "height": 1, "text": ""
  }
 ]
}"#;
    std::fs::write(tg.join("result.json"), json).unwrap();
    // As she would run it from inside the export's folder: "result.json" alone.
    let out = cli
        .command_with_pass(&cli.pass_file)
        .current_dir(&tg)
        .args(["import", "telegram", "--json", "result.json"])
        .output()
        .unwrap();
    assert_exit(&out, 0, "import telegram result.json");
    let done: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (done["messages"].as_u64(), done["attachments"].as_u64()),
        (Some(3), Some(1)),
        "{done}"
    );
    assert_eq!(done["attachments_missing"], 1);

    // A WhatsApp zip with its photo.
    let chat = "31/12/2023, 21:41 - Sam: IMG-20231231-WA0001.jpg (file attached)\nthe car\n";
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    zip.start_file("WhatsApp Chat with Sam.txt", opts).unwrap();
    zip.write_all(chat.as_bytes()).unwrap();
    zip.start_file("IMG-20231231-WA0001.jpg", opts).unwrap();
    zip.write_all(&jpeg).unwrap();
    let zip = zip.finish().unwrap().into_inner();
    let f = cli.write_file("WhatsApp Chat with Sam.zip", &zip);
    let done = cli.json(["import", "whatsapp", "--json", f.to_str().unwrap()]);
    assert_eq!(
        (done["messages"].as_u64(), done["attachments"].as_u64()),
        (Some(1), Some(1)),
        "{done}"
    );
    assert_eq!(
        extracted(&cli, done["export"].as_str().unwrap()),
        zip,
        "the zip, byte-exact"
    );

    // Every attachment comes back byte-exact, named by its message.
    let messages = attached_files(&cli);
    assert_eq!(messages.len(), 7);
    let by_source = |src: &str| -> Vec<&(Value, Vec<String>)> {
        messages
            .iter()
            .filter(|(r, _)| r["source"] == src)
            .collect()
    };
    let sms = by_source("sms");
    assert_eq!(sms[0].0["sent_at"], "2024-01-05T11:43:20+00:00");
    assert_eq!(sms[1].0["text"], "Look at your car");
    assert_eq!(extracted(&cli, &sms[1].1[0]), jpeg);
    let email = by_source("email");
    assert_eq!(email[0].0["subject"], "tonight");
    assert_eq!(email[0].0["sent_at"], "2024-01-05T11:50:00+01:00");
    assert_eq!(extracted(&cli, &email[0].1[0]), pdf);
    let tg = by_source("telegram");
    assert_eq!(tg[0].0["source_id"], "1");
    assert_eq!(extracted(&cli, &tg[1].1[0]), jpeg);
    assert!(tg[2].1.is_empty(), "the photo left out of the export");
    let wa = by_source("whatsapp");
    assert_eq!(extracted(&cli, &wa[0].1[0]), jpeg);

    // One search finds words in every source.
    for (q, source) in [
        ("mum", "sms"),
        ("outside work", "email"),
        ("answer phone", "telegram"),
    ] {
        let hits = cli.json(["search", "--json", q]);
        assert!(
            hits.as_array()
                .unwrap()
                .iter()
                .any(|h| h["kind"] == "message"),
            "{q} ({source}): {hits}"
        );
    }
    assert_exit(&cli.run(["verify"]), 0, "verify after every import");
}

#[test]
fn hostile_exports_of_every_format_import_nothing() {
    let cli = Cli::new();
    cli.init();
    let size = chain_len(&cli);
    // A Telegram export naming a file outside its folder.
    let tg = cli.scratch().join("evil");
    std::fs::create_dir_all(&tg).unwrap();
    std::fs::write(
        tg.join("result.json"),
        r#"{"name": "Sam", "type": "personal_chat", "id": 1, "messages": [
 {"id": 1, "type": "message", "date": "2024-01-05T11:43:20", "from": "Sam", "from_id": "user1",
  "photo": "../../etc/passwd", "text": ""}]}"#,
    )
    .unwrap();
    let line = assert_cairn_error(
        &cli.run(["import", "telegram", tg.to_str().unwrap()]),
        2,
        "telegram traversal",
    );
    assert!(line.contains("outside"), "{line}");

    // SMS XML with an entity bomb.
    let bomb = b"<?xml version=\"1.0\"?>\n<!DOCTYPE smses [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]>\n<smses count=\"1\"><sms address=\"1\" date=\"1\" type=\"1\" body=\"&b;\"/></smses>\n";
    let f = cli.write_file("bomb.xml", bomb);
    let line = assert_cairn_error(
        &cli.run(["import", "sms", f.to_str().unwrap()]),
        2,
        "sms bomb",
    );
    assert!(line.contains("Line 2"), "{line}");

    // A PDF given as an email; a truncated zip given as a WhatsApp export.
    let f = cli.write_file("letter.eml", b"%PDF-1.4\n\x00\x01binary\n");
    let pdf_line = assert_cairn_error(
        &cli.run(["import", "email", f.to_str().unwrap()]),
        2,
        "not an email",
    );
    let f = cli.write_file(
        "WhatsApp Chat with Sam.zip",
        b"PK\x03\x04\x14\x00\x00\x00cut short",
    );
    let line = assert_cairn_error(
        &cli.run(["import", "whatsapp", f.to_str().unwrap()]),
        2,
        "cut zip",
    );
    assert!(line.contains("damaged or incomplete"), "{line}");

    assert!(pdf_line.contains("Line 1"), "{pdf_line}");
    assert!(pdf_line.contains("nothing was imported"), "{pdf_line}");
    assert!(line.contains("nothing was imported"), "{line}");
    assert_eq!(chain_len(&cli), size, "nothing was written");
    assert_exit(&cli.run(["verify"]), 0, "verify after refused imports");
}
