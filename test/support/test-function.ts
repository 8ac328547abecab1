/** A composition function for tests, served in-process on an ephemeral loopback port. */
import * as grpc from '@grpc/grpc-js';
import { FunctionRunnerServiceService, type RunFunctionRequest, type RunFunctionResponse } from '@crossplane-org/function-sdk-typescript';

export async function startTestFunction(compose: (req: RunFunctionRequest) => RunFunctionResponse): Promise<{ server: grpc.Server; port: number }> {
  const server = new grpc.Server();
  server.addService(FunctionRunnerServiceService, {
    runFunction: (call: grpc.ServerUnaryCall<RunFunctionRequest, RunFunctionResponse>, cb: grpc.sendUnaryData<RunFunctionResponse>) =>
      cb(null, compose(call.request)),
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return { server, port };
}
