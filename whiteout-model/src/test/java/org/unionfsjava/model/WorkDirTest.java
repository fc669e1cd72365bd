package org.unionfsjava.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.unionfsjava.model.UnionFixture.assertErrno;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("WorkDir")
class WorkDirTest extends AufsUnionTestBase {

  private WorkDir prepared(Path dir) throws IOException {
    Files.createDirectories(dir.getParent());
    WorkDir w = new WorkDir(io, dir);
    w.prepare();
    return w;
  }

  @Test
  @DisplayName("prepare creates the directory (0700) and its temp area, and is idempotent")
  void prepare_createsDirectories() throws IOException {
    WorkDir w = prepared(path("/upper/.work"));
    w.prepare();

    assertTrue(Files.isDirectory(path("/upper/.work/tmp")));
    assertEquals(0700, io.lstat(path("/upper/.work")).permissions());
    assertEquals(path("/upper/.work"), w.path());
  }

  @Test
  @DisplayName("prepare refuses a work directory path that is a file (ENOTDIR)")
  void prepare_fileInTheWay_enotdir() throws IOException {
    Files.createDirectories(path("/upper"));
    Files.writeString(path("/upper/.work"), "not a dir");

    assertErrno(Errno.ENOTDIR, () -> new WorkDir(io, path("/upper/.work")).prepare());
  }

  @Test
  @DisplayName("clean (and prepare at mount) removes stale temporaries of a crash, files and whole trees")
  void clean_removesStaleTemps() throws IOException {
    WorkDir w = prepared(path("/upper/.work"));
    Files.writeString(path("/upper/.work/tmp/stale-file"), "half a copy");
    Files.createDirectories(path("/upper/.work/tmp/stale-dir/sub"));
    Files.writeString(path("/upper/.work/tmp/stale-dir/sub/x"), "x");
    Files.createSymbolicLink(path("/upper/.work/tmp/stale-link"), path("/upper"));
    Files.writeString(path("/upper/.work/format"), "aufs\n");

    assertEquals(3, w.clean());

    assertEquals(List.of(), io.list(path("/upper/.work/tmp")));
    assertTrue(Files.exists(path("/upper/.work/format")), "the format record is not a temporary");
    assertTrue(Files.isDirectory(path("/upper")), "a symlink temp is removed, not followed");
    assertEquals(0, w.clean());
  }

  @Test
  @DisplayName("prepare at mount empties the temp area")
  void prepare_cleansTemps() throws IOException {
    prepared(path("/upper/.work"));
    Files.writeString(path("/upper/.work/tmp/stale"), "x");

    new WorkDir(io, path("/upper/.work")).prepare();

    assertFalse(Files.exists(path("/upper/.work/tmp/stale")));
  }

  @Test
  @DisplayName("newTempPath gives distinct names in the temp area and creates nothing")
  void newTempPath_distinctAndNotCreated() throws IOException {
    WorkDir w = prepared(path("/upper/.work"));

    Path a = w.newTempPath();
    Path b = w.newTempPath();

    assertNotEquals(a, b);
    assertEquals(path("/upper/.work/tmp"), a.getParent());
    assertFalse(Files.exists(a));
    assertEquals(List.of(), io.list(path("/upper/.work/tmp")));
  }

  @Test
  @DisplayName("removeTree refuses a path outside the work directory and leaves it alone")
  void removeTree_outside_refused() throws IOException {
    WorkDir w = prepared(path("/upper/.work"));
    Files.writeString(path("/upper/precious"), "user data");

    assertThrows(IllegalArgumentException.class, () -> w.removeTree(path("/upper/precious")));
    assertThrows(IllegalArgumentException.class, () -> w.removeTree(path("/upper/.work-other")));
    assertTrue(Files.exists(path("/upper/precious")));
  }

  @Test
  @DisplayName("removeTree refuses a path that only looks inside the work directory through '..'")
  void removeTree_dotDotEscape_refused() throws IOException {
    WorkDir w = prepared(path("/upper/.work"));
    Files.writeString(path("/upper/precious"), "user data");

    assertThrows(IllegalArgumentException.class, () -> w.removeTree(path("/upper/.work/tmp/../../precious")));
    assertTrue(Files.exists(path("/upper/precious")), "user data outside the work directory was deleted");
  }

  @Test
  @DisplayName("removeTree of a missing path is a no-op; of a tree removes it without following symlinks")
  void removeTree_treeWithSymlink() throws IOException {
    WorkDir w = prepared(path("/upper/.work"));
    Files.createDirectories(path("/outside"));
    Files.writeString(path("/outside/keep"), "keep");
    Path t = w.newTempPath();
    Files.createDirectories(t.resolve("a"));
    Files.createSymbolicLink(t.resolve("a/link"), path("/outside"));

    w.removeTree(w.newTempPath());
    w.removeTree(t);

    assertFalse(Files.exists(t));
    assertTrue(Files.exists(path("/outside/keep")));
  }
}
