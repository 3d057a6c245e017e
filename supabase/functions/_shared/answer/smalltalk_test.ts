import { deepStrictEqual as assertEquals } from 'node:assert/strict';
import { smallTalk } from './smalltalk.ts';

Deno.test('greetings, thanks, goodbyes and acknowledgements, with the language their words say', () => {
  assertEquals(smallTalk('Hi'), { kind: 'greeting', lang: 'en' });
  assertEquals(smallTalk('Hello, is anyone there?'), { kind: 'greeting', lang: 'en' });
  assertEquals(smallTalk('Good morning!'), { kind: 'greeting', lang: 'en' });
  assertEquals(smallTalk('Bonjour'), { kind: 'greeting', lang: 'fr' });
  assertEquals(smallTalk('Hola, buenas tardes'), { kind: 'greeting', lang: 'es' });
  assertEquals(smallTalk('Thanks!'), { kind: 'thanks', lang: 'en' });
  assertEquals(smallTalk('thank you very much :)'), { kind: 'thanks', lang: 'en' });
  assertEquals(smallTalk('Merci beaucoup !'), { kind: 'thanks', lang: 'fr' });
  assertEquals(smallTalk('Vielen Dank'), { kind: 'thanks', lang: 'de' });
  assertEquals(smallTalk('ok thanks, bye'), { kind: 'bye', lang: 'en' });
  assertEquals(smallTalk('ok'), { kind: 'ack', lang: 'en' });
  assertEquals(smallTalk("D'accord"), { kind: 'ack', lang: 'fr' });
  assertEquals(smallTalk('Yes please'), { kind: 'yes', lang: 'en' });
  assertEquals(smallTalk('Can you help me?'), { kind: 'greeting', lang: 'en' });
});

Deno.test('anything with a question in it is not small talk', () => {
  for (const m of ['Hi, how much is a tune-up?', 'Thanks, and where is the shop?', 'Do you sell helmets?', 'what is it?', '', '👋']) {
    assertEquals(smallTalk(m), undefined, m);
  }
});
