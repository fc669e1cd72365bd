package org.unionfsjava.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** The version lines of {@code --version}, taken from the Maven project version at build time. */
final class VersionProvider implements IVersionProvider {

  private static final String RESOURCE = "version.properties";

  @Override
  public String[] getVersion() {
    Properties build = load();
    return new String[] {
        "unionfs-java " + build.getProperty("version", "unknown"),
        "jnr-fuse " + build.getProperty("jnrFuseVersion", "unknown")
            + ", Java " + System.getProperty("java.version")
            + " (" + System.getProperty("java.vm.name") + ")",
    };
  }

  /** The project version this CLI was built as. */
  static String projectVersion() {
    return load().getProperty("version", "unknown");
  }

  private static Properties load() {
    Properties properties = new Properties();
    try (InputStream in = VersionProvider.class.getResourceAsStream(RESOURCE)) {
      if (in != null) {
        properties.load(in);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return properties;
  }
}
