import { badJson, missingParam } from './errors.ts';

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function requiredString(body: JsonObject, key: string): string {
  const value = body[key];
  if (value === undefined) throw missingParam(key);
  if (typeof value !== 'string') throw badJson(`${key} must be a string`);
  return value;
}

export function optionalString(body: JsonObject, key: string): string | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw badJson(`${key} must be a string`);
  return value;
}
