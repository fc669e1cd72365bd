package org.unionfsjava.model;

/** The user a request comes from: new objects belong to this uid and gid. */
public record Caller(int uid, int gid) {
  /** root. */
  public static final Caller ROOT = new Caller(0, 0);
}
