// wink-sentiment ships no type declarations; this covers the one call the model makes.
declare module "wink-sentiment" {
  interface WinkToken {
    value: string;
    tag: string;
    score?: number;
    negation?: boolean;
    grouped?: number;
  }
  interface WinkSentimentResult {
    /** Sum of the AFINN-style scores of the sentiment-bearing tokens. */
    score: number;
    /** Score averaged over sentiment tokens and damped by text length; always within -5..+5. */
    normalizedScore: number;
    tokenizedPhrase?: WinkToken[];
  }
  function sentiment(phrase: string): WinkSentimentResult;
  export = sentiment;
}
