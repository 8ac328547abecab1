/**
 * server.ts writes the FunctionRunnerService definition out instead of importing the SDK's (so the
 * bundle leaves the SDK's message codecs out); Crossplane calls the SDK's path, so they must agree.
 */
import { FunctionRunnerServiceService } from '@crossplane-org/function-sdk-typescript';
import { describe, expect, it } from 'vitest';
import { functionService, RUN_FUNCTION_PATH } from './server.js';

describe('FunctionRunnerService definition', () => {
  it("has the SDK's path and unary shape", () => {
    const sdk = FunctionRunnerServiceService.runFunction;
    expect(RUN_FUNCTION_PATH).toBe(sdk.path);
    const ours = functionService.runFunction;
    expect({ path: ours.path, requestStream: ours.requestStream, responseStream: ours.responseStream }).toEqual({
      path: sdk.path,
      requestStream: sdk.requestStream,
      responseStream: sdk.responseStream,
    });
  });

  it('passes request and response bytes through unchanged', () => {
    const bytes = Buffer.from([10, 2, 8, 1]);
    expect(functionService.runFunction.requestDeserialize(bytes)).toBe(bytes);
    expect(functionService.runFunction.responseDeserialize(bytes)).toBe(bytes);
  });
});
