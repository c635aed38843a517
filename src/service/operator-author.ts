/** The Author of an operator's messages from the console (and `switchboard conversations`). */
export const operatorAuthor = "operator";
