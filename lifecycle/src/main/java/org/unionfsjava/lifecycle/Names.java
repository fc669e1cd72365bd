package org.unionfsjava.lifecycle;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import org.unionfsjava.model.FileKind;
import org.unionfsjava.model.NameCharset;

/**
 * How names, which are bytes, appear in what the tools print. In text for people: printable
 * UTF-8 as it is, a backslash as {@code \\}, and every other byte (control characters, bytes that
 * are not valid UTF-8) as {@code \ooo} in octal, so one name is always one line and a name can be
 * read back exactly. In JSON: a string field holds the name as UTF-8 text; when the bytes are not
 * valid UTF-8 it holds them decoded with U+FFFD for each bad byte, and a second field {@code
 * NAME_base64} carries the exact bytes (base64).
 */
public final class Names {
  private Names() {}

  /** The bytes of a name string (the JVM's name charset). */
  static byte[] bytes(String name) {
    return NameCharset.bytes(name);
  }

  /** The name as a person reads it, one line, reversible. */
  public static String text(String name) {
    byte[] b = bytes(name);
    StringBuilder sb = new StringBuilder(b.length + 8);
    int i = 0;
    while (i < b.length) {
      int c = b[i] & 0xff;
      int len = utf8Length(b, i);
      if (len > 1) {
        sb.append(new String(b, i, len, StandardCharsets.UTF_8));
        i += len;
      } else if (c == '\\') {
        sb.append("\\\\");
        i++;
      } else if (c >= 0x20 && c < 0x7f) {
        sb.append((char) c);
        i++;
      } else {
        sb.append(String.format(Locale.ROOT, "\\%03o", c));
        i++;
      }
    }
    return sb.toString();
  }

  /** The length of a valid, printable multi-byte UTF-8 sequence at {@code i}, else 1. */
  private static int utf8Length(byte[] b, int i) {
    int c = b[i] & 0xff;
    int len = c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 1;
    if (c >= 0xf5 || len == 1 || i + len > b.length) {
      return 1;
    }
    try {
      String s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b, i, len)).toString();
      return Character.isISOControl(s.codePointAt(0)) ? 1 : len;
    } catch (CharacterCodingException e) {
      return 1;
    }
  }

  /** Writes {@code field} (and {@code field_base64} where needed) for a name or path. */
  public static void writeJson(JsonGenerator g, String field, String name) throws IOException {
    byte[] b = bytes(name);
    try {
      CharBuffer text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b));
      g.writeStringField(field, text.toString());
    } catch (CharacterCodingException e) {
      g.writeStringField(field, new String(b, StandardCharsets.UTF_8));
      g.writeStringField(field + "_base64", Base64.getEncoder().encodeToString(b));
    }
  }

  /** The word for a kind of object, as listings and JSON write it. */
  public static String kind(FileKind k) {
    switch (k) {
      case REGULAR: return "file";
      case DIRECTORY: return "directory";
      case SYMLINK: return "symlink";
      case CHAR_DEVICE: return "char-device";
      case BLOCK_DEVICE: return "block-device";
      case FIFO: return "fifo";
      case SOCKET: return "socket";
      default: return "unknown";
    }
  }
}
