import type { ChoiceCard, ChoiceList, QuickReplies } from "./choices.js";

// One bike shop's choices, offered as quick replies, a list and a card: the SMS text
// rendering and the reply parser are tested against the same offers.
export const quick: QuickReplies = {
  type: "quick-replies",
  body: "What can we help with?",
  options: [
    { id: "rent", title: "Rent a bike" },
    { id: "repair", title: "Repairs" },
    { id: "person", title: "Talk to a person" },
  ],
};

export const list: ChoiceList = {
  type: "list",
  body: "Pick a shop",
  button: "Shops",
  options: [
    { id: "harbor", title: "Harbor Street", description: "Open 9-17, repairs and rentals" },
    { id: "station", title: "Station Square" },
  ],
};

export const card: ChoiceCard = {
  type: "card",
  title: "City bike",
  subtitle: "$12 per hour",
  mediaUrl: "https://bikes.example/city.jpg",
  actions: [
    { type: "url", title: "Book online", url: "https://bikes.example/book" },
    { type: "reply", id: "more", title: "More bikes" },
    { type: "phone", title: "Call us", phone: "+15550132400" },
    { type: "reply", id: "person", title: "Talk to a person" },
  ],
};
