// The few sentences the answer engine says itself, in the languages the widget speaks.
import type { Lang } from '../text.ts';

export const LANGUAGE_NAMES: Record<Lang, string> = { en: 'English', fr: 'French', de: 'German', es: 'Spanish' };

export const DONT_KNOW: Record<Lang, string> = {
  en: "I couldn't find the answer to that in this website's information, so I'd rather not guess. Would you like me to bring in a person from the team? They can reply right here.",
  fr: "Je n'ai pas trouvé la réponse dans les informations de ce site et je préfère ne pas deviner. Voulez-vous que je fasse appel à une personne de l'équipe ? Elle vous répondra ici.",
  de: 'Dazu habe ich in den Informationen dieser Website keine Antwort gefunden, und ich möchte nicht raten. Soll ich eine Person aus dem Team dazuholen? Sie antwortet direkt hier.',
  es: 'No encontré la respuesta en la información de este sitio y prefiero no adivinar. ¿Quiere que avise a una persona del equipo? Le responderá aquí mismo.',
};

/** A greeting: what the assistant is (it answers from the site's information) and that a person can join. */
export function greeting(lang: Lang, site: string): string {
  const name = site.trim() || { en: 'this website', fr: 'ce site', de: 'dieser Website', es: 'este sitio' }[lang];
  return {
    en: `Hello! I'm the assistant of ${name}: I answer from the information on this website, and a person from the team can join in at any time. What would you like to know?`,
    fr: `Bonjour ! Je suis l'assistant de ${name} : je réponds à partir des informations de ce site, et une personne de l'équipe peut prendre le relais à tout moment. Que voulez-vous savoir ?`,
    de: `Hallo! Ich bin der Assistent von ${name}: Ich antworte mit den Informationen dieser Website, und eine Person aus dem Team kann jederzeit übernehmen. Was möchten Sie wissen?`,
    es: `¡Hola! Soy el asistente de ${name}: respondo con la información de este sitio, y una persona del equipo puede intervenir en cualquier momento. ¿Qué le gustaría saber?`,
  }[lang];
}

export const THANKS: Record<Lang, string> = {
  en: "You're welcome! Is there anything else I can help you with?",
  fr: 'Avec plaisir ! Puis-je vous aider pour autre chose ?',
  de: 'Gern geschehen! Kann ich Ihnen sonst noch helfen?',
  es: '¡De nada! ¿Puedo ayudarle con algo más?',
};

export const BYE: Record<Lang, string> = {
  en: 'Goodbye, and thanks for stopping by! If anything else comes up, just write here.',
  fr: 'Au revoir, et merci de votre visite ! Si vous avez une autre question, écrivez simplement ici.',
  de: 'Auf Wiedersehen und danke für Ihren Besuch! Wenn noch etwas ist, schreiben Sie einfach hier.',
  es: '¡Adiós y gracias por su visita! Si surge algo más, escriba aquí.',
};

export const ACK: Record<Lang, string> = {
  en: 'All right. Is there anything else I can help you with?',
  fr: 'Très bien. Puis-je vous aider pour autre chose ?',
  de: 'In Ordnung. Kann ich Ihnen sonst noch helfen?',
  es: 'De acuerdo. ¿Puedo ayudarle con algo más?',
};

/** The visitor said yes to DONT_KNOW's offer of a person. */
export const HANDOFF: Record<Lang, string> = {
  en: 'All right: a person from the team will reply here as soon as they can.',
  fr: "Très bien : une personne de l'équipe vous répondra ici dès que possible.",
  de: 'Alles klar: Eine Person aus dem Team antwortet Ihnen hier, sobald sie kann.',
  es: 'De acuerdo: una persona del equipo le responderá aquí lo antes posible.',
};

/** A message with no words to search for ("what is it?"). */
export const CLARIFY: Record<Lang, string> = {
  en: "Could you tell me a little more about what you're looking for? I answer from this website's information.",
  fr: "Pouvez-vous m'en dire un peu plus sur ce que vous cherchez ? Je réponds à partir des informations de ce site.",
  de: 'Können Sie mir etwas genauer sagen, wonach Sie suchen? Ich antworte mit den Informationen dieser Website.',
  es: '¿Podría contarme un poco más sobre lo que busca? Respondo con la información de este sitio.',
};
