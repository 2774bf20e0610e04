import { compareText } from '../../lib/core/sort';

test('generated output is ordered by code units, not by the machine locale', () => {
  // localeCompare would put 'a-b' and 'a_b' (and upper/lower case) in locale-dependent order
  expect(['b', 'a_b', 'B', 'a-b', 'a'].sort(compareText)).toEqual(['B', 'a', 'a-b', 'a_b', 'b']);
  expect(compareText('x', 'x')).toBe(0);
});
