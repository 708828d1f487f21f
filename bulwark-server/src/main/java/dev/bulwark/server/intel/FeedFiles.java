package dev.bulwark.server.intel;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;

/** Opens a feed file, decompressing bzip2 or gzip (recognised by their first bytes). */
public final class FeedFiles {
  private FeedFiles() {}

  public static InputStream open(Path file) throws IOException {
    return decompressed(Files.newInputStream(file));
  }

  /** The stream itself, or its content when it starts like bzip2 ("BZh") or gzip (1f 8b). */
  public static InputStream decompressed(InputStream raw) throws IOException {
    BufferedInputStream in = new BufferedInputStream(raw, 64 * 1024);
    in.mark(4);
    byte[] head = in.readNBytes(3);
    in.reset();
    if (head.length == 3 && head[0] == 'B' && head[1] == 'Z' && head[2] == 'h') {
      return new BZip2CompressorInputStream(in, true);
    }
    if (head.length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
      return new GZIPInputStream(in, 64 * 1024);
    }
    return in;
  }
}
