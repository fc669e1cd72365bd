package org.unionfsjava.model;

import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;

/** The whiteout format contract for aufs / OCI whiteouts, on Jimfs with plain NIO. */
@DisplayName("aufs format contract (Jimfs, NioBranchIo)")
class AufsFormatContractTest implements WhiteoutFormatContract {
  private FileSystem fs;

  @BeforeEach
  void openFileSystem() {
    fs = TestFileSystems.newUnix();
  }

  @AfterEach
  void closeFileSystem() throws IOException {
    fs.close();
  }

  @Override
  public BranchIo branchIo() {
    return new NioBranchIo();
  }

  @Override
  public WhiteoutFormat whiteoutFormat() {
    return new AufsFormat();
  }

  @Override
  public Path tempRoot() throws IOException {
    return Files.createDirectories(fs.getPath("/union"));
  }
}
