//! Declares the app's commands so that each needs a permission (granted to the main
//! window in `capabilities/main.json`).

const COMMANDS: &[&str] = &[
    "app_status",
    "choose_vault_dir",
    "passphrase_strength",
    "create_vault",
    "unlock",
    "recover",
    "lock",
    "touch",
    "timeline",
    "timeline_head",
    "search",
    "item",
    "history",
    "save_incident",
    "save_person",
    "link_items",
    "unlink_items",
    "add_files",
    "cancel_job",
    "redact",
    "verify",
    "change_passphrase",
    "draft_recovery_code",
    "replace_recovery_code",
    "save_settings",
    "quick_exit",
    "restore_look",
    "set_decoy",
    "remove_decoy",
    "plan_export",
    "export_bundle",
    "bundle_is_sealed",
    "check_bundle",
    "receipt",
    "check_receipt",
    "reports",
    "save_report",
    "import_messages",
    "conversations",
    "conversation_page",
    "search_items",
    "backup_now",
    "backup_status",
    "check_backup",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .unwrap_or_else(|e| panic!("tauri build step failed: {e:#}"));
}
