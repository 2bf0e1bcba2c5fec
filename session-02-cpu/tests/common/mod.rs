//! What the lab's `shop` and `examples/shop.rs` must both print: the course's three ordered
//! steps one after another, then the last three started together and done by length.

/// `(event, step)` in the order printed: the concurrent shop.
pub const SHOP_ORDER: [(&str, &str); 12] = [
    ("start", "view the product"),
    ("done", "view the product"),
    ("start", "add it to the cart"),
    ("done", "add it to the cart"),
    ("start", "pay"),
    ("done", "pay"),
    ("start", "register the order"),
    ("start", "send the confirmation e-mail"),
    ("start", "send the SMS"),
    ("done", "register the order"),
    ("done", "send the SMS"),
    ("done", "send the confirmation e-mail"),
];
