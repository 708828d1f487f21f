package dev.bulwark.server.notify;

import java.net.URI;
import java.util.List;

/** Where a notifier sends: an HTTPS webhook, a Slack incoming webhook, or email over SMTP. */
public sealed interface Channel permits Channel.Webhook, Channel.Slack, Channel.Email {
  String kind();

  /** A JSON POST signed with HMAC-SHA256 ({@code X-Bulwark-Signature}). */
  record Webhook(URI url) implements Channel {
    @Override
    public String kind() {
      return "webhook";
    }
  }

  /** A Slack incoming webhook; its URL is a credential and is never shown back. */
  record Slack(URI url) implements Channel {
    @Override
    public String kind() {
      return "slack";
    }
  }

  /** Email through an SMTP server; the password, if any, is the notifier's secret. */
  record Email(
      String host, int port, String from, List<String> to, String username, boolean starttls)
      implements Channel {
    public Email {
      to = List.copyOf(to);
    }

    @Override
    public String kind() {
      return "email";
    }
  }
}
