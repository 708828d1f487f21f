package dev.bulwark.server.http;

import io.javalin.http.Context;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/** Request bodies read with a limit. */
final class Bodies {
  private Bodies() {}

  /**
   * Reads at most {@code max} bytes; a larger body is refused (413) before it is all read, whether
   * or not it declared its length.
   */
  static byte[] readBounded(Context ctx, long max) throws IOException {
    long declared = ctx.req().getContentLengthLong();
    try (InputStream in = ctx.bodyInputStream()) {
      if (declared > max) {
        drain(in, max);
        throw ProblemException.tooLarge(max);
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream(declared > 0 ? (int) declared : 8192);
      byte[] buf = new byte[64 * 1024];
      long total = 0;
      for (int n; (n = in.read(buf)) > 0; ) {
        total += n;
        if (total > max) {
          drain(in, max);
          throw ProblemException.tooLarge(max);
        }
        out.write(buf, 0, n);
      }
      return out.toByteArray();
    }
  }

  /**
   * Reads and discards the rest of a refused body, up to a few times the limit, so that the client
   * (still sending) reads the 413 instead of a reset connection; a body far beyond that is cut off.
   */
  private static void drain(InputStream in, long max) throws IOException {
    byte[] buf = new byte[64 * 1024];
    long budget = Math.max(max, 1024 * 1024) * 4;
    for (int n; budget > 0 && (n = in.read(buf)) > 0; ) {
      budget -= n;
    }
  }
}
