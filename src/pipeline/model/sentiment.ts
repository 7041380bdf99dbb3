import winkSentiment from "wink-sentiment";

export const SENTIMENT_LABELS = ["positive", "neutral", "negative"] as const;

export type SentimentLabel = (typeof SENTIMENT_LABELS)[number];

export interface Sentiment {
  label: SentimentLabel;
  /** wink-sentiment's normalizedScore, -5..+5 (average token score damped by text length). */
  score: number;
}

/**
 * Labels from wink-sentiment's normalised score: above +0.5 positive, below -0.5 negative,
 * otherwise neutral. The dead band keeps a single mildly coloured word in a long neutral biography
 * (for example "award") from tipping the label.
 */
export const SENTIMENT_THRESHOLDS = { positiveAbove: 0.5, negativeBelow: -0.5 } as const;

export function sentimentLabel(score: number): SentimentLabel {
  if (score > SENTIMENT_THRESHOLDS.positiveAbove) return "positive";
  if (score < SENTIMENT_THRESHOLDS.negativeBelow) return "negative";
  return "neutral";
}

/** Sentiment of a text with wink-sentiment (AFINN-165 + emoji ranking, negation aware). */
export function analyseSentiment(text: string): Sentiment {
  const trimmed = text.trim();
  if (trimmed === "") return { label: "neutral", score: 0 };
  const score = winkSentiment(trimmed).normalizedScore;
  // Normalise -0 so the stored number and comparisons are stable.
  const stable = Object.is(score, -0) ? 0 : score;
  return { label: sentimentLabel(stable), score: stable };
}
