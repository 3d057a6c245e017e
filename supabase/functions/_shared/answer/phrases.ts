// The few sentences the answer engine says itself, in the languages the widget speaks.
import type { Lang } from '../text.ts';

export const LANGUAGE_NAMES: Record<Lang, string> = { en: 'English', fr: 'French', de: 'German', es: 'Spanish' };

export const DONT_KNOW: Record<Lang, string> = {
  en: "I couldn't find the answer to that in this website's information, so I'd rather not guess. Would you like me to bring in a person from the team? They can reply right here.",
  fr: "Je n'ai pas trouvé la réponse dans les informations de ce site et je préfère ne pas deviner. Voulez-vous que je fasse appel à une personne de l'équipe ? Elle vous répondra ici.",
  de: 'Dazu habe ich in den Informationen dieser Website keine Antwort gefunden, und ich möchte nicht raten. Soll ich eine Person aus dem Team dazuholen? Sie antwortet direkt hier.',
  es: 'No encontré la respuesta en la información de este sitio y prefiero no adivinar. ¿Quiere que avise a una persona del equipo? Le responderá aquí mismo.',
};
