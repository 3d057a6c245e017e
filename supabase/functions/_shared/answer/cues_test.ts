import { deepStrictEqual as assertEquals, ok as assert } from 'node:assert/strict';
import { cueCount, cuesGiven, questionShape } from './cues.ts';

Deno.test('the kind of answer a question asks for, in four languages', () => {
  const cases: Array<[string, string[]]> = [
    ['How much is a puncture repair?', ['price']],
    ['Do you charge for heat moulding?', ['price']],
    ['Combien coûte une révision ?', ['price']],
    ['Wie viel kostet ein Service?', ['price']],
    ['¿Cuánto cuesta alquilar una bici?', ['price']],
    ['When are you open on Saturday?', ['time']],
    ['What time do you close?', ['time']],
    ['Wann haben Sie geöffnet?', ['time']],
    ['Where is the shop?', ['place']],
    ['Où se trouve le magasin ?', ['place']],
    ['How long does a full service take?', ['duration']],
    ['Combien de temps dure une réparation ?', ['duration']],
    ['What is your phone number?', ['phone']],
    ['What is your e-mail address?', ['email']],
    ['Do you sell helmets?', []],
  ];
  for (const [q, cues] of cases) assertEquals(questionShape(q).cues, cues, q);
});

Deno.test('yes/no questions ("do you", "can I", "est-ce que", "kann ich", "¿puedo"), greetings in front allowed', () => {
  for (const q of ['Do you repair e-bikes?', 'Can I pay by card?', 'Hi, is there parking?', 'Est-ce que je peux payer par carte ?', 'Acceptez-vous les chèques ?', 'Kann ich mit Karte zahlen?', '¿Puedo pagar con tarjeta?']) {
    assert(questionShape(q).yesNo, q);
  }
  for (const q of ['How much is a tune-up?', 'Where is the shop?', 'What brands do you sell?']) assert(!questionShape(q).yesNo, q);
});

Deno.test('what a sentence gives: amounts, times and days, addresses, durations, phone numbers, e-mail addresses', () => {
  const all = ['price', 'time', 'place', 'duration', 'phone', 'email'] as const;
  const given = (s: string) => cuesGiven(s, [...all]);
  assertEquals(given('A puncture repair costs €15, inner tube included.'), ['price']);
  assertEquals(given('Heat-moulding is free when you buy the boots from us.'), ['price']);
  assertEquals(given('On Saturday we are open from 10:00 to 17:00.'), ['time']);
  assertEquals(given('You will find us at 14 Canal Street, next to the footbridge.'), ['place']);
  assertEquals(given('Allow two working days.'), ['duration']);
  assertEquals(given('It is done while you wait.'), ['duration']);
  assertEquals(given('Call us on +353 1 555 0142.'), ['phone']);
  assertEquals(given('Write to hello@northsidecycles.example at any time.'), ['email']);
  assertEquals(given('We sell city bikes and e-bikes.'), []);
  // A price with decimals is not a time.
  assertEquals(given('Smaller orders are delivered for €7.50.'), ['price']);
});

Deno.test('the words that only name the kind of answer are known, so a sentence with that kind covers them', () => {
  assert(questionShape('What are your opening hours?').cueWords.has('open'));
  assert(questionShape('Where is your shop located?').cueWords.has('address'));
  assert(questionShape('What is your phone number?').cueWords.has('number'));
});

Deno.test('more pieces of the wanted kind count as a fuller answer', () => {
  assertEquals(cueCount('Open Monday to Friday from 9:00 to 18:30 and on Saturday from 10:00 to 17:00.', ['time']), 7);
  assertEquals(cueCount('On Saturday we are open from 10:00 to 17:00.', ['time']), 3);
});
