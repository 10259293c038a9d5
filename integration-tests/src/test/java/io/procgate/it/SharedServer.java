package io.procgate.it;

import io.procgate.testing.ServerProcess;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives test methods and constructors one {@link ServerProcess} for the whole run, started on first
 * use and stopped when all tests are done.
 */
public final class SharedServer implements ParameterResolver {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(SharedServer.class);

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == ServerProcess.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return context
        .getRoot()
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent("server", key -> new Running(), Running.class)
        .server;
  }

  private static final class Running implements ExtensionContext.Store.CloseableResource {
    final ServerProcess server;

    Running() {
      try {
        server = ServerProcess.start(ServerProcess.testSettings());
      } catch (Exception e) {
        throw new IllegalStateException("cannot start the server", e);
      }
    }

    @Override
    public void close() throws Exception {
      server.close();
    }
  }
}
