package org.unionfsjava.fs;

import java.io.IOException;

/**
 * An upper or work directory that another union, an offline tool or a kernel overlayfs mount is
 * using ({@link UpperLock}): {@link #reason()} names the holder and what to do.
 */
public final class UpperInUseException extends IOException {
  private static final long serialVersionUID = 1L;

  private final String path;
  private final String reason;

  UpperInUseException(String path, String reason) {
    super(reason + ": " + path);
    this.path = path;
    this.reason = reason;
  }

  /** The directory in use. */
  public String path() {
    return path;
  }

  /** What uses it and what to do, one phrase starting with the directory's role. */
  public String reason() {
    return reason;
  }
}
