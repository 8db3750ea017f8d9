//! Realistic Partoo business pages for the benches.

use serde_json::{Value, json};

// ---------------------------------------------------------------------------------------------------------
// Fixtures: realistic Partoo businesses
// ---------------------------------------------------------------------------------------------------------

/// `(city, slug, zipcode, region, lat, long, phone prefix)`.
pub(crate) const CITIES: [(&str, &str, &str, &str, f64, f64, &str); 8] = [
    (
        "Paris",
        "paris-11",
        "75011",
        "Île-de-France",
        48.8589,
        2.3795,
        "+33 1 43",
    ),
    (
        "Lyon",
        "lyon-2",
        "69002",
        "Auvergne-Rhône-Alpes",
        45.7578,
        4.8320,
        "+33 4 78",
    ),
    (
        "Marseille",
        "marseille-1",
        "13001",
        "Provence-Alpes-Côte d'Azur",
        43.2965,
        5.3698,
        "+33 4 91",
    ),
    (
        "Bordeaux",
        "bordeaux",
        "33000",
        "Nouvelle-Aquitaine",
        44.8378,
        -0.5792,
        "+33 5 56",
    ),
    (
        "Lille",
        "lille",
        "59000",
        "Hauts-de-France",
        50.6292,
        3.0573,
        "+33 3 20",
    ),
    (
        "Nantes",
        "nantes",
        "44000",
        "Pays de la Loire",
        47.2184,
        -1.5536,
        "+33 2 40",
    ),
    (
        "Toulouse",
        "toulouse",
        "31000",
        "Occitanie",
        43.6047,
        1.4442,
        "+33 5 61",
    ),
    (
        "Strasbourg",
        "strasbourg",
        "67000",
        "Grand Est",
        48.5734,
        7.7521,
        "+33 3 88",
    ),
];

/// `(brand, slug, categories, short description)`.
pub(crate) const BRANDS: [(&str, &str, &[&str], &str); 5] = [
    (
        "Boulangerie Delmas",
        "boulangerie-delmas",
        &["gcid:bakery", "gcid:pastry_shop"],
        "Pain au levain, viennoiseries pur beurre et pâtisseries maison.",
    ),
    (
        "Pharmacie du Centre",
        "pharmacie-du-centre",
        &["gcid:pharmacy"],
        "Conseil, orthopédie, matériel médical et préparations magistrales.",
    ),
    (
        "Garage Martin",
        "garage-martin",
        &["gcid:auto_repair_shop", "gcid:car_dealer"],
        "Entretien toutes marques, pneus, climatisation et contrôle technique.",
    ),
    (
        "Le Petit Bistrot",
        "le-petit-bistrot",
        &["gcid:restaurant", "gcid:french_restaurant", "gcid:bar"],
        "Cuisine de saison, plat du jour et terrasse ombragée.",
    ),
    (
        "Optique Lumière",
        "optique-lumiere",
        &["gcid:optician"],
        "Lunettes de vue et de soleil, lentilles, examen de vue sur rendez-vous.",
    ),
];

pub(crate) const STREETS: [(&str, &str); 5] = [
    ("rue", "de la République"),
    ("avenue", "Jean Jaurès"),
    ("boulevard", "Voltaire"),
    ("place", "du Marché"),
    ("rue", "Victor Hugo"),
];

/// One business as `GET /business/search` returns it (schema `Business`).
pub(crate) fn business(i: usize) -> Value {
    let (city, city_slug, zipcode, region, lat, long, phone) = CITIES[i % CITIES.len()];
    let (brand, slug, categories, short) = BRANDS[i % BRANDS.len()];
    let (street_type, street_name) = STREETS[i % STREETS.len()];
    let number = 1 + (i * 7) % 180;
    let jitter = (i as f64 * 0.000_37) % 0.02;
    let id = format!("5f{:022x}", 0x0009_c3a1_7e05_u64.wrapping_mul(i as u64 + 1));
    let weekday = json!(["09:00-12:30", "14:00-19:00"]);
    // Built in parts: one `json!` for the whole business exceeds the default macro recursion limit.
    let open_hours = json!({
        "monday": [],
        "tuesday": weekday,
        "wednesday": weekday,
        "thursday": weekday,
        "friday": weekday,
        "saturday": ["09:00-13:00", "14:00-18:00"],
        "sunday": [],
    });
    let specific_hours = json!({
        "open": [{"starts_at": "2024-12-24", "ends_at": "2024-12-24", "open_hours": ["09:00-16:00"]}],
        "close": [
            {"starts_at": "2024-12-25", "ends_at": "2024-12-26"},
            {"starts_at": "2025-01-01", "ends_at": "2025-01-01"},
        ],
    });
    let contacts = json!([{
        "name": "Camille Durand",
        "email": format!("{city_slug}@{slug}.fr"),
        "phone_numbers": [format!("{phone} {:02} {:02} {:02}", i % 100, (i * 3) % 100, (i * 7) % 100)],
    }]);
    let photos = json!({
        "LOGO": format!("https://cdn.partoo.co/business/{id}/logo.png"),
        "primary": format!("https://cdn.partoo.co/business/{id}/primary.jpg"),
        "secondary": [
            format!("https://cdn.partoo.co/business/{id}/1.jpg"),
            format!("https://cdn.partoo.co/business/{id}/2.jpg"),
            format!("https://cdn.partoo.co/business/{id}/3.jpg"),
        ],
    });
    let subscriptions = json!({
        "presence_management": {"active": true},
        "review_management": {"active": !i.is_multiple_of(3)},
        "review_booster": {"active": i.is_multiple_of(5)},
    });
    let custom_fields = json!([
        {"id": 11, "type": "BOOLEAN", "name": "Parking", "value": i.is_multiple_of(2), "order": 1},
        {"id": 12, "type": "TEXT", "name": "Responsable", "value": "Camille Durand", "order": 2},
        {"id": 13, "type": "INTEGER", "name": "Surface (m²)", "value": 80 + i % 200, "order": 3},
        {"id": 14, "type": "MULTIPLE_SELECT", "name": "Paiement", "value": ["Carte bancaire", "Espèces"], "order": 4},
    ]);
    let description_long = format!(
        "{brand} vous accueille au {number} {street_type} {street_name} à {city} du mardi au samedi. {short} \
         Notre équipe vous conseille sur place et par téléphone ; retrait des commandes passées en ligne sous \
         deux heures, paiement sans contact et accès aux personnes à mobilité réduite."
    );
    let google_location_id = format!(
        "accounts/1069{:014}/locations/{:019}",
        i * 31,
        4_000_000_000_000_000_000u64 + i as u64 * 7919
    );
    json!({
        "id": id,
        "created": 1_409_925_979.5 + i as f64 * 86_400.0,
        "modified": 1_712_000_000.25 + i as f64 * 3_600.0,
        "code": format!("FR-{zipcode}-{i:04}"),
        "status": if i % 17 == 16 { "closed" } else { "open" },
        "org_id": 4213,
        "group_id": 100 + i % 12,
        "name": format!("{brand} {city}"),
        "address_details": {
            "number": number.to_string(),
            "street_type": street_type,
            "street_name": street_name,
        },
        "address": format!("{number} {street_type} {street_name}"),
        "address2": "",
        "city": city,
        "zipcode": zipcode,
        "region": region,
        "country": "FR",
        "categories": categories,
        "open_hours": open_hours,
        "specific_hours": specific_hours,
        "description_short": short,
        "description_long": description_long,
        "website_url": format!("https://www.{slug}.fr/magasins/{city_slug}"),
        "facebook_url": format!("https://www.facebook.com/{slug}.{city_slug}"),
        "twitter_url": format!("https://twitter.com/{slug}"),
        "google_location_id": google_location_id,
        "facebook_page_id": format!("10{:013}", 2_781_000_000_000u64 + i as u64 * 104_729),
        "national_identification_number": format!("{:014}", 44_306_184_100_000u64 + i as u64 * 13),
        "logo_url": format!("https://cdn.partoo.co/business/logo/{slug}.png"),
        "contacts": contacts,
        "photos": photos,
        "lat": lat + jitter,
        "long": long - jitter,
        "subscriptions": subscriptions,
        "custom_fields": custom_fields,
    })
}

/// `{"page": .., "max_page": .., "count": .., "businesses": [..]}` as JSON bytes.
pub(crate) fn page_body(page: i64, max_page: i64, count: i64, size: usize) -> Vec<u8> {
    let first = usize::try_from(page - 1).unwrap_or(0) * size;
    let businesses: Vec<Value> = (first..first + size).map(business).collect();
    serde_json::to_vec(&json!({
        "page": page,
        "max_page": max_page,
        "count": count,
        "businesses": businesses,
    }))
    .expect("a page serializes")
}
