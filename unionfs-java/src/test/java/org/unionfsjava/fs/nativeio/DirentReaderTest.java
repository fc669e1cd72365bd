package org.unionfsjava.fs.nativeio;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.unionfsjava.model.DirEntry;
import org.unionfsjava.model.FileKind;

/** Parsing of struct linux_dirent64 records as NFS (DT_UNKNOWN) or any filesystem gives them. */
class DirentReaderTest {

  @Test
  void parse_skipsDots_mapsDtypes_keepsInodes() {
    ByteBuffer buf = ByteBuffer.allocate(4096).order(ByteOrder.nativeOrder());
    record(buf, 2, 4, ".");
    record(buf, 1, 4, "..");
    record(buf, 100, 0, "unknown-kind");
    record(buf, 101, 8, "file");
    record(buf, 102, 10, "link");
    record(buf, 103, 2, "chr");
    record(buf, 104, 6, "blk");
    record(buf, 105, 1, "fifo");
    record(buf, 106, 12, "sock");
    record(buf, 0, 4, "ü-dir");
    List<DirEntry> out = new ArrayList<>();

    DirentReader.parse(buf.array(), buf.position(), out);

    assertEquals(List.of(
        new DirEntry("unknown-kind", FileKind.UNKNOWN, 100),
        new DirEntry("file", FileKind.REGULAR, 101),
        new DirEntry("link", FileKind.SYMLINK, 102),
        new DirEntry("chr", FileKind.CHAR_DEVICE, 103),
        new DirEntry("blk", FileKind.BLOCK_DEVICE, 104),
        new DirEntry("fifo", FileKind.FIFO, 105),
        new DirEntry("sock", FileKind.SOCKET, 106),
        new DirEntry("ü-dir", FileKind.DIRECTORY, 0)), out);
  }

  private static void record(ByteBuffer buf, long ino, int type, String name) {
    byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
    int reclen = (19 + bytes.length + 1 + 7) & ~7;
    int start = buf.position();
    buf.putLong(ino).putLong(0x7fff_0000L + start).putShort((short) reclen).put((byte) type)
        .put(bytes).put((byte) 0);
    buf.position(start + reclen);
  }
}
