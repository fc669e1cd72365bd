package org.unionfsjava.model;

import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** Base of the model tests: a fresh Jimfs per test, NioBranchIo and the aufs format. */
abstract class AufsUnionTestBase {
  protected FileSystem fs;
  protected final BranchIo io = new NioBranchIo();
  protected final WhiteoutFormat aufs = new AufsFormat();

  @BeforeEach
  void openFileSystem() {
    fs = TestFileSystems.newUnix();
  }

  @AfterEach
  void closeFileSystem() throws IOException {
    fs.close();
  }

  /** A stack builder (upper + 2 lowers by default) in /union. */
  protected UnionFixture.Builder stack() throws IOException {
    return UnionFixture.builder(Files.createDirectories(fs.getPath("/union")), io, aufs);
  }

  protected Path path(String p) {
    return fs.getPath(p);
  }
}
