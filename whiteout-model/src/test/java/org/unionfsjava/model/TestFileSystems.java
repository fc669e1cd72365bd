package org.unionfsjava.model;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import java.nio.file.FileSystem;

/** Jimfs file systems shaped like a Linux upper: POSIX modes, owners and user xattrs. */
final class TestFileSystems {
  private TestFileSystems() {}

  /** The configuration every model test uses. */
  static Configuration.Builder unix() {
    return Configuration.unix().toBuilder().setAttributeViews("basic", "owner", "posix", "unix", "user");
  }

  /** A fresh in-memory Unix file system. */
  static FileSystem newUnix() {
    return Jimfs.newFileSystem(unix().build());
  }

  /** A fresh in-memory Unix file system holding at most {@code maxBytes} of file data. */
  static FileSystem newUnix(long maxBytes) {
    return Jimfs.newFileSystem(unix().setBlockSize(4096).setMaxSize(maxBytes).setMaxCacheSize(0).build());
  }
}
