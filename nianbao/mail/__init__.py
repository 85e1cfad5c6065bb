"""Mail: parsing what Chinese mail clients send, mailboxes (Maildir, IMAP), transports (folder, SMTP),
and the outbox every outgoing message goes through."""
