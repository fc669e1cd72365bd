package org.unionfsjava.fs.nativeio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class NativeNamesTest {

  @Test
  void encode_ascii_isNulTerminated() {
    assertArrayEquals(new byte[] {'/', 'a', 'b', 0}, NativeNames.encode("/ab"));
    assertArrayEquals(new byte[] {'/', 't', 0}, NativeNames.encode(Path.of("/t")));
    assertArrayEquals(new byte[] {0}, NativeNames.encode(""));
  }

  @Test
  void encode_nonAscii_isUtf8_andDecodesBack() {
    String name = "grüße-日本-\uD83D\uDE42";
    byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
    byte[] encoded = NativeNames.encode(name);
    assertEquals(utf8.length + 1, encoded.length);
    assertEquals(0, encoded[utf8.length]);
    assertEquals(name, NativeNames.decode(encoded, 0, utf8.length));
    assertEquals(name, NativeNames.decode(utf8));
  }

  @Test
  void encode_nul_isRejected() {
    assertThrows(IllegalArgumentException.class, () -> NativeNames.encode("a\0b"));
  }
}
