/**
 * Finds where a JSON text first goes wrong, for error messages only (parsing itself is
 * JSON.parse). V8's messages give a position for some errors and not for others ("Unexpected
 * token '}', ... is not valid JSON"), so the position is found by this small scanner instead.
 */
export interface JsonSyntaxError {
  offset: number;
  message: string;
}

// Deeper than any real definition; keeps the scanner's recursion far from the stack limit.
const MAX_DEPTH = 2000;

class Stop {
  constructor(readonly error: JsonSyntaxError) {}
}

export function locateJsonError(text: string): JsonSyntaxError | null {
  let i = 0;
  const fail = (message: string): never => {
    throw new Stop({ offset: i, message });
  };
  const skipSpace = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i] as string)) i++;
  };
  const expect = (c: string, message: string) => {
    skipSpace();
    if (text[i] !== c) fail(message);
    i++;
  };

  const string = () => {
    i++; // opening quote
    for (;;) {
      const c = text[i];
      if (c === undefined) fail('unterminated string');
      else if (c === '"') {
        i++;
        return;
      } else if (c === '\\') {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail('invalid \\u escape');
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else fail('invalid escape in string');
      } else if (c < ' ') fail('unescaped control character in string');
      else i++;
    }
  };

  const value = (depth: number): void => {
    if (depth > MAX_DEPTH) fail('nesting too deep');
    skipSpace();
    const c = text[i];
    if (c === undefined) return fail('unexpected end of input, a value was expected');
    if (c === '{') return object(depth);
    if (c === '[') return array(depth);
    if (c === '"') return string();
    const number = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    number.lastIndex = i;
    if ((c === '-' || (c >= '0' && c <= '9')) && number.test(text)) {
      i = number.lastIndex;
      return;
    }
    for (const word of ['true', 'false', 'null']) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return;
      }
    }
    fail(`unexpected character '${c}'`);
  };

  const object = (depth: number) => {
    i++;
    skipSpace();
    if (text[i] === '}') {
      i++;
      return;
    }
    for (;;) {
      skipSpace();
      if (text[i] !== '"') fail('expected a double-quoted property name');
      string();
      expect(':', "expected ':' after a property name");
      value(depth + 1);
      skipSpace();
      if (text[i] === ',') i++;
      else if (text[i] === '}') {
        i++;
        return;
      } else fail("expected ',' or '}' after a property value");
    }
  };

  const array = (depth: number) => {
    i++;
    skipSpace();
    if (text[i] === ']') {
      i++;
      return;
    }
    for (;;) {
      value(depth + 1);
      skipSpace();
      if (text[i] === ',') i++;
      else if (text[i] === ']') {
        i++;
        return;
      } else fail("expected ',' or ']' after an array item");
    }
  };

  try {
    value(0);
    skipSpace();
    if (i < text.length) fail('unexpected text after the end of the document');
    return null;
  } catch (e) {
    if (e instanceof Stop) return e.error;
    throw e;
  }
}

/** 1-based line and column of an offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const lastBreak = before.lastIndexOf('\n');
  return { line: before.split('\n').length, column: offset - lastBreak };
}
