package org.unionfsjava.fs.nativeio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.unionfsjava.model.FileKind;
import org.unionfsjava.model.Stat;

class StatLayoutTest {

  @TempDir Path dir;

  @Test
  void host_isX86OrGeneric_withKernelSizes() {
    StatLayout host = StatLayout.host();
    String arch = System.getProperty("os.arch");
    if (arch.equals("amd64") || arch.equals("x86_64")) {
      assertSame(StatLayout.X86_64, host);
    } else {
      assertSame(StatLayout.GENERIC, host);
    }
    assertEquals(144, StatLayout.X86_64.size());
    assertEquals(128, StatLayout.GENERIC.size());
  }

  @Test
  void lstat_agreesWithNioAndCoreutils() throws Exception {
    Path file = dir.resolve("f");
    Files.write(file, new byte[10_000]);
    Files.setLastModifiedTime(file, FileTime.from(1_234_567_890_123_456_789L, TimeUnit.NANOSECONDS));

    Stat stat = new NativeBranchIo().lstat(file);
    Map<String, Object> nio = Files.readAttributes(file, "unix:*", LinkOption.NOFOLLOW_LINKS);

    assertEquals(((Number) nio.get("ino")).longValue(), stat.ino());
    assertEquals(((Number) nio.get("dev")).longValue(), stat.dev());
    assertEquals(((Number) nio.get("mode")).intValue(), stat.mode());
    assertEquals(((Number) nio.get("nlink")).longValue(), stat.nlink());
    assertEquals(((Number) nio.get("uid")).intValue(), stat.uid());
    assertEquals(((Number) nio.get("gid")).intValue(), stat.gid());
    assertEquals(10_000, stat.size());
    assertEquals(FileKind.REGULAR, stat.kind());
    assertEquals(1_234_567_890_123_456_789L, stat.mtimeNs());
    assertEquals(((FileTime) nio.get("ctime")).to(TimeUnit.NANOSECONDS), stat.ctimeNs());
    assertEquals(((FileTime) nio.get("lastAccessTime")).to(TimeUnit.NANOSECONDS), stat.atimeNs());

    String[] coreutils = run("stat", "-c", "%b %o %h", file.toString()).trim().split(" ");
    assertEquals(Long.parseLong(coreutils[0]), stat.blocks());
    assertEquals(Long.parseLong(coreutils[1]), stat.blksize());
    assertEquals(Long.parseLong(coreutils[2]), stat.nlink());
  }

  @Test
  void writeThenRead_roundTripsInBothLayouts() {
    Stat stat = new Stat(0x0102030405060708L, 0x1112131415161718L, 020644, 3, 1000, 1001,
        0x0103, 123_456_789_012L, 4096, 241, -1_500_000_000L, 1_700_000_000_999_999_999L, 7L);
    for (StatLayout layout : new StatLayout[] {StatLayout.X86_64, StatLayout.GENERIC}) {
      Pointer buf = Memory.allocate(LinuxAbi.RUNTIME, layout.size());
      layout.write(stat, buf);
      assertEquals(stat, layout.read(buf), layout.toString());
    }
  }

  @Test
  void genericLayout_fieldOffsets_matchAsmGenericStatH() {
    Pointer buf = Memory.allocate(LinuxAbi.RUNTIME, 128);
    buf.putLong(0, 11); // st_dev
    buf.putLong(8, 22); // st_ino
    buf.putInt(16, 0100600); // st_mode
    buf.putInt(20, 2); // st_nlink (32 bit)
    buf.putInt(24, 5); // st_uid
    buf.putInt(28, 6); // st_gid
    buf.putLong(32, 7); // st_rdev
    buf.putLong(48, 4242); // st_size
    buf.putInt(56, 65536); // st_blksize (32 bit)
    buf.putLong(64, 16); // st_blocks
    buf.putLong(72, 1); // st_atime
    buf.putLong(80, 2); // st_atime_nsec
    buf.putLong(88, 3);
    buf.putLong(96, 4);
    buf.putLong(104, 5);
    buf.putLong(112, 6);
    Stat expected = new Stat(11, 22, 0100600, 2, 5, 6, 7, 4242, 65536, 16, 1_000_000_002L,
        3_000_000_004L, 5_000_000_006L);
    assertEquals(expected, StatLayout.GENERIC.read(buf));
  }

  private static String run(String... command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, process.waitFor(), out);
    return out;
  }
}
