package org.unionfsjava.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.unionfsjava.model.UnionFixture.assertErrno;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("FormatDetector (DESIGN §3: detect at mount, never mix formats)")
class FormatDetectorTest extends AufsUnionTestBase {
  private static final String WORK = ".work";
  private Path upper;
  private WorkDir work;
  private FormatDetector detector;

  @BeforeEach
  void setUpUpper() throws IOException {
    upper = Files.createDirectories(path("/upper"));
    work = new WorkDir(io, upper.resolve(WORK));
    work.prepare();
    detector = new FormatDetector(io);
  }

  private String record() throws IOException {
    return Files.readString(work.path().resolve(FormatDetector.RECORD));
  }

  @Test
  @DisplayName("byName knows overlay and aufs, any case; anything else (oci, auto) is EINVAL naming the known ones")
  void byName_knownAndUnknown() throws UnionException {
    assertInstanceOf(OverlayFormat.class, FormatDetector.byName("overlay"));
    assertInstanceOf(AufsFormat.class, FormatDetector.byName("AUFS"));
    for (String unknown : List.of("unionfs", "oci", "auto")) {
      UnionException e = assertErrno(Errno.EINVAL, () -> FormatDetector.byName(unknown));
      assertTrue(e.getMessage().contains("overlay") && e.getMessage().contains("aufs"), e.getMessage());
    }
  }

  @Test
  @DisplayName("every choice but auto names the format of its own name; oci is no choice")
  void choices_agreeWithTheFormatNames() throws UnionException {
    assertEquals(List.of("auto", "overlay", "aufs"), WhiteoutChoice.names());
    for (WhiteoutChoice c : WhiteoutChoice.values()) {
      assertEquals(c, WhiteoutChoice.of(c.cliName()));
      if (c != WhiteoutChoice.AUTO) {
        assertEquals(c.cliName(), FormatDetector.of(c).name());
        assertEquals(c.cliName(), FormatDetector.byName(c.cliName()).name());
      }
    }
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(
        IllegalArgumentException.class, () -> WhiteoutChoice.of("oci"));
    assertEquals("expected auto, overlay or aufs but was 'oci'", e.getMessage());
  }

  @Test
  @DisplayName("An empty upper with \"aufs\" requested takes aufs and records it in the work directory")
  void choose_emptyUpperAufs_chosenAndRecorded() throws IOException {
    WhiteoutFormat f = detector.choose(WhiteoutChoice.AUFS, upper, work, WORK);

    assertInstanceOf(AufsFormat.class, f);
    assertEquals("aufs\n", record());
    assertEquals(List.of(), io.list(work.path().resolve("tmp")));
  }

  @Test
  @DisplayName("auto on an upper without device nodes falls back to aufs, probes leave nothing behind")
  void choose_autoWithoutMknod_aufs() throws IOException {
    WhiteoutFormat f = detector.choose(WhiteoutChoice.AUTO, upper, work, WORK);

    assertInstanceOf(AufsFormat.class, f);
    assertEquals("aufs\n", record());
    assertEquals(List.of(), io.list(work.path().resolve("tmp")));
  }

  @Test
  @DisplayName("overlay requested where device nodes cannot be made is refused, suggesting aufs, and nothing is recorded")
  void choose_overlayWithoutMknod_refused() {
    UnionException e = assertThrows(() -> detector.choose(WhiteoutChoice.OVERLAY, upper, work, WORK));

    assertTrue(e.getMessage().contains("--whiteout-format aufs"), e.getMessage());
    assertFalse(Files.exists(work.path().resolve(FormatDetector.RECORD)));
  }

  @Test
  @DisplayName("The record wins over a scan: an upper recorded as overlay stays overlay although it holds .wh. files")
  void choose_recordWinsOverScan() throws IOException {
    Files.writeString(work.path().resolve(FormatDetector.RECORD), "overlay\n");
    Files.writeString(upper.resolve(".wh.something"), "");

    assertInstanceOf(OverlayFormat.class, detector.choose(WhiteoutChoice.AUTO, upper, work, WORK));
    assertInstanceOf(OverlayFormat.class, detector.choose(WhiteoutChoice.OVERLAY, upper, work, WORK));
  }

  @Test
  @DisplayName("Without a record the scan finds aufs markers deep in the upper (whiteouts or opaque markers)")
  void choose_scanFindsAufsMarkers() throws IOException {
    Files.createDirectories(upper.resolve("a/b"));
    Files.writeString(upper.resolve("a/b/" + AufsFormat.OPAQUE_MARKER), "");

    assertEquals("aufs", detector.scan(upper, WORK));
    assertInstanceOf(AufsFormat.class, detector.choose(WhiteoutChoice.AUTO, upper, work, WORK));
    assertEquals("aufs\n", record());
  }

  @Test
  @DisplayName("The scan ignores the work directory and finds nothing in an upper of plain files")
  void scan_plainUpper_null() throws IOException {
    Files.createDirectories(upper.resolve("a/b"));
    Files.writeString(upper.resolve("a/b/file"), "x");
    Files.writeString(work.path().resolve(".wh.not-a-marker"), "");

    assertEquals(null, detector.scan(upper, WORK));
  }

  @Test
  @DisplayName("A request that contradicts the upper is refused with a message naming both formats")
  void choose_mismatch_refusedNamingBoth() throws IOException {
    Files.writeString(upper.resolve(".wh.gone"), "");

    FormatMismatchException e = org.junit.jupiter.api.Assertions.assertThrows(
        FormatMismatchException.class, () -> detector.choose(WhiteoutChoice.OVERLAY, upper, work, WORK));

    assertTrue(e.getMessage().contains("aufs") && e.getMessage().contains("overlay"), e.getMessage());
    assertEquals("the upper is in the aufs whiteout format, not overlay as requested"
        + " (--whiteout-format aufs or auto mounts it)", e.getMessage());
    assertEquals(upper.toString(), e.upper());
    assertFalse(Files.exists(work.path().resolve(FormatDetector.RECORD)), "nothing recorded on refusal");
  }

  @Test
  @DisplayName("A recorded format contradicting the request is refused too")
  void choose_recordMismatch_refused() throws IOException {
    Files.writeString(work.path().resolve(FormatDetector.RECORD), "aufs\n");

    FormatMismatchException e = org.junit.jupiter.api.Assertions.assertThrows(
        FormatMismatchException.class, () -> detector.choose(WhiteoutChoice.OVERLAY, upper, work, WORK));

    assertTrue(e.getMessage().contains("aufs") && e.getMessage().contains("overlay"), e.getMessage());
    assertEquals("aufs\n", record());
  }

  private static UnionException assertThrows(org.junit.jupiter.api.function.Executable code) {
    return org.junit.jupiter.api.Assertions.assertThrows(UnionException.class, code);
  }
}
