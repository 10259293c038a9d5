package io.procgate.server.validation;

import jakarta.annotation.Priority;
import jakarta.interceptor.AroundInvoke;
import jakarta.interceptor.Interceptor;
import jakarta.interceptor.InvocationContext;

/** Refuses a call whose arguments break the constraints of the operation it calls. */
@Validated
@Interceptor
@Priority(Interceptor.Priority.PLATFORM_BEFORE)
class ValidationInterceptor {

  @AroundInvoke
  Object check(InvocationContext call) throws Exception {
    OperationConstraints.of(call.getMethod()).check(call.getParameters());
    return call.proceed();
  }
}
