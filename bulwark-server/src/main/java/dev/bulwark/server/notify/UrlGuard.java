package dev.bulwark.server.notify;

import dev.bulwark.engine.BulwarkException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * Keeps notifiers from being pointed at the server's own network (SSRF): unless the operator allows
 * private networks, a destination must be HTTPS and resolve only to public addresses. The check
 * runs when a notifier is created and again before every send.
 */
final class UrlGuard {
  private final boolean allowPrivate;

  UrlGuard(boolean allowPrivate) {
    this.allowPrivate = allowPrivate;
  }

  /** The reason the URL may not be used, or null when it may. */
  String reject(URI url) {
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("https") && !(allowPrivate && scheme.equals("http"))) {
      return "must be an https:// URL";
    }
    if (url.getHost() == null || url.getUserInfo() != null) {
      return "must name a host and carry no user:password";
    }
    if (allowPrivate) {
      return null;
    }
    try {
      for (InetAddress a : InetAddress.getAllByName(url.getHost())) {
        if (a.isLoopbackAddress()
            || a.isSiteLocalAddress()
            || a.isLinkLocalAddress()
            || a.isAnyLocalAddress()
            || a.isMulticastAddress()
            || isUniqueLocal(a)) {
          return "resolves to a private address (%s); an operator can allow private networks with notify.allow_private_networks"
              .formatted(a.getHostAddress());
        }
      }
    } catch (UnknownHostException e) {
      return "its host does not resolve";
    }
    return null;
  }

  void check(URI url) {
    String why = reject(url);
    if (why != null) {
      throw new BulwarkException("destination refused: " + why);
    }
  }

  private static boolean isUniqueLocal(InetAddress a) {
    byte[] b = a.getAddress();
    return b.length == 16 && (b[0] & 0xfe) == 0xfc;
  }
}
